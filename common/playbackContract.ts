/**
 * Contract of playback (timeline, synchronized playback, instant replay, bookmarks).
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 */

// Build methods with `method()` and the shapes of ./contractKit (CameraId, NoParams, ...).

export const playbackMethods = {} as const;

export const playbackEvents = {} as const;
