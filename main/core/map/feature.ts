import type { mapMethods } from '../../../common/mapContract';
import type { CoreFeature, FeatureDeps } from '../features';

/** Composition of the map feature: creates its services and returns their handlers. */
export function createMapFeature(deps: FeatureDeps): CoreFeature<typeof mapMethods> {
  void deps;
  return { handlers: {} };
}
