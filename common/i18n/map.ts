import type { DeepStrings } from './types';

/** Texts of the map feature, under `map.` in both dictionaries. Vietnamese first. */
export const mapVi = {} as const;

export const mapEn: DeepStrings<typeof mapVi> = {};
