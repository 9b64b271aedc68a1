import type { playbackMethods } from '../../../common/playbackContract';
import type { CoreFeature, FeatureDeps } from '../features';

/** Composition of the playback feature: creates its services and returns their handlers. */
export function createPlaybackFeature(deps: FeatureDeps): CoreFeature<typeof playbackMethods> {
  void deps;
  return { handlers: {} };
}
