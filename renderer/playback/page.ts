import type { FeaturePage } from '../featureTypes';
import { lazyPart } from '../components/lazyPart';

// Off the wall's path: its own file, loaded when the page is first opened.
const PlaybackPage = lazyPart(() => import('./PlaybackPage').then((module) => module.PlaybackPage));

/** The playback page of the top bar (Xem lại): timeline, synchronized tiles, bookmarks. */
export const playbackPage: FeaturePage = { id: 'playback', ready: true, Component: PlaybackPage };
