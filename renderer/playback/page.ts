import type { FeaturePage } from '../pages';

function PlaybackPage() {
  return null;
}

/** The playback page of the top bar: hidden (ready: false) until the feature is built. */
export const playbackPage: FeaturePage = { id: 'playback', ready: false, Component: PlaybackPage };
