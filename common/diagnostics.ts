/**
 * Read-only figures the renderer publishes on `window.consoleDiagnostics` for benchmarks and
 * support: which WebGL renderer draws the wall and how many frames each view has drawn.
 * Nothing here can change the console's state.
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
}

export type WithDiagnostics = { consoleDiagnostics?: ConsoleDiagnostics };
