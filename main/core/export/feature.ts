import type { exportMethods } from '../../../common/exportContract';
import type { CoreFeature, FeatureDeps } from '../features';

/** Composition of the export feature: creates its services and returns their handlers. */
export function createExportFeature(deps: FeatureDeps): CoreFeature<typeof exportMethods> {
  void deps;
  return { handlers: {} };
}
