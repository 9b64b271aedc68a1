import type { DeepStrings } from './types';

/** Texts of the export feature, under `exportClip.` in both dictionaries. Vietnamese first. */
export const exportVi = {} as const;

export const exportEn: DeepStrings<typeof exportVi> = {};
