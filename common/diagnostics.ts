/**
 * Read-only figures the renderer publishes on `window.consoleDiagnostics` for benchmarks and
 * support: which WebGL renderer draws the wall, how many frames each view has drawn, and (for
 * the latency benchmark) the time codes read back from drawn frames. Nothing here can change
 * what the console shows or does.
 */
export interface ViewDrawStats {
  framesDrawn: number;
  lastSeq: number;
  lastDrawnAtMs: number;
  lastDecodedAtMs: number;
}

export interface ConsoleDiagnostics {
  renderer: string;
  stats(): Record<number, ViewDrawStats>;
  /** Starts reading the latency time code (common/timecode.ts) from the frames drawn for a camera. */
  probeLatency(cameraId: string): void;
  /** Latencies (ms) read since the last call. */
  takeLatencySamples(): number[];
}

export type WithDiagnostics = { consoleDiagnostics?: ConsoleDiagnostics };
