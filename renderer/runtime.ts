import { createContext, useContext } from 'react';
import type { FrameHeader } from '../common/liveProtocol';
import type { CoreClient } from './transport/coreClient';
import type { LiveSocket } from './live/liveSocket';

/** The non-React parts the components share: the contract client and the live socket. */
export interface Runtime {
  client: CoreClient;
  socket: LiveSocket;
  /** The wall registers where frames go (it owns the WebGL canvas). */
  setFrameSink(sink: ((header: FrameHeader, pixels: Uint8Array) => void) | null): void;
}

export const RuntimeContext = createContext<Runtime | null>(null);

export function useRuntime(): Runtime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error('RuntimeContext missing');
  return runtime;
}
