import type { ptzMethods } from '../../../common/ptzContract';
import type { CoreFeature, FeatureDeps } from '../features';

/** Composition of the ptz feature: creates its services and returns their handlers. */
export function createPtzFeature(deps: FeatureDeps): CoreFeature<typeof ptzMethods> {
  void deps;
  return { handlers: {} };
}
