import type { DeepStrings } from './types';

/** Texts of the playback feature, under `playback.` in both dictionaries. Vietnamese first. */
export const playbackVi = {} as const;

export const playbackEn: DeepStrings<typeof playbackVi> = {};
