import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, type ConsoleBridge } from '../common/bridge';
import { isMethodName } from '../common/contract';
import { fail } from '../common/result';

/** The preload exposes the contract and nothing else (no ipcRenderer, no Node). */
const bridge: ConsoleBridge = {
  call(method, params) {
    if (!isMethodName(method)) return Promise.resolve(fail('badRequest', 'unknown method'));
    return ipcRenderer.invoke(IPC_CHANNELS.call, { method, params });
  },
  onEvent(listener) {
    const handler = (_event: unknown, envelope: unknown): void => listener(envelope);
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
  },
};

contextBridge.exposeInMainWorld('consoleBridge', bridge);
