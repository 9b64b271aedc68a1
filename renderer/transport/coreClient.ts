import {
  EventEnvelopeSchema,
  resultSchemaOf,
  type EventEnvelope,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../common/contract';
import type { ConsoleBridge } from '../../common/bridge';
import { CALL_PATH } from '../../common/liveProtocol';
import { fail } from '../../common/result';

/**
 * The renderer's side of the contract. Two transports, one interface: Electron's preload bridge,
 * or HTTP to the loopback core in browser mode. Every result is validated with the contract's
 * schema before the UI sees it; a transport failure becomes a tagged error, never a throw.
 */
export interface CoreClient {
  readonly host: 'electron' | 'browser';
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Electron delivers events over IPC; in browser mode they come on the live socket. */
  onEvent(listener: (envelope: EventEnvelope) => void): () => void;
}

function validated<M extends MethodName>(method: M, raw: unknown): ResultOf<M> {
  const parsed = resultSchemaOf(method).safeParse(raw);
  return parsed.success ? (parsed.data as ResultOf<M>) : fail('internal', `invalid ${method} result`);
}

function electronClient(bridge: ConsoleBridge): CoreClient {
  return {
    host: 'electron',
    async call(method, params) {
      try {
        return validated(method, await bridge.call(method, params));
      } catch {
        return fail('unavailable', 'bridge call failed');
      }
    },
    onEvent(listener) {
      return bridge.onEvent((raw) => {
        const parsed = EventEnvelopeSchema.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      });
    },
  };
}

/** Events that arrive on the live socket (browser mode), handed to whoever listens. */
export class EventHub {
  private readonly listeners = new Set<(envelope: EventEnvelope) => void>();

  on(listener: (envelope: EventEnvelope) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(envelope: EventEnvelope): void {
    for (const listener of this.listeners) listener(envelope);
  }
}

function browserClient(socketEvents: EventHub): CoreClient {
  return {
    host: 'browser',
    async call(method, params) {
      try {
        const response = await fetch(CALL_PATH, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ method, params }),
          credentials: 'same-origin',
        });
        if (response.status === 401 || response.status === 403) return fail('unauthorized', `HTTP ${response.status}`);
        return validated(method, await response.json());
      } catch {
        return fail('unavailable', 'core unreachable');
      }
    },
    onEvent: (listener) => socketEvents.on(listener),
  };
}

export function createCoreClient(socketEvents: EventHub): CoreClient {
  const bridge = (window as unknown as { consoleBridge?: ConsoleBridge }).consoleBridge;
  return bridge ? electronClient(bridge) : browserClient(socketEvents);
}
