/**
 * Contract of the commune map (layers, camera placement, neighbours, search).
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 */

// Build methods with `method()` and the shapes of ./contractKit (CameraId, NoParams, ...).

export const mapMethods = {} as const;

export const mapEvents = {} as const;
