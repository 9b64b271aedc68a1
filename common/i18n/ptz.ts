import type { DeepStrings } from './types';

/** Texts of the ptz feature, under `ptz.` in both dictionaries. Vietnamese first. */
export const ptzVi = {} as const;

export const ptzEn: DeepStrings<typeof ptzVi> = {};
