/**
 * Contract of PTZ, ONVIF devices (discovery, adding, NVR import, credentials), follow mode.
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 */

// Build methods with `method()` and the shapes of ./contractKit (CameraId, NoParams, ...).

export const ptzMethods = {} as const;

export const ptzEvents = {} as const;
