import type { FeaturePage } from '../pages';
import { PlaybackPage } from './PlaybackPage';

/** The playback page of the top bar (Xem lại): timeline, synchronized tiles, bookmarks. */
export const playbackPage: FeaturePage = { id: 'playback', ready: true, Component: PlaybackPage };
