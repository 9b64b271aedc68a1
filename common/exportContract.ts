/**
 * Contract of evidence export to USB (jobs, integrity, handover record, export log).
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 */

// Build methods with `method()` and the shapes of ./contractKit (CameraId, NoParams, ...).

export const exportMethods = {} as const;

export const exportEvents = {} as const;
