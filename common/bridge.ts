/**
 * What the Electron preload exposes to the renderer (window.consoleBridge), and the IPC channels
 * behind it. Nothing else crosses: no Node, no ipcRenderer, no arbitrary channel. The renderer
 * validates every result and event with the contract schemas; the main process validates every
 * call and its sender before forwarding it to the core.
 */
export const IPC_CHANNELS = {
  call: 'contract:call',
  event: 'contract:event',
} as const;

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://console';

export interface ConsoleBridge {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (envelope: unknown) => void): () => void;
}
