import { create } from 'zustand';
import type { PtzCapabilities, PtzHolder, PtzPreset } from '../../common/ptzContract';

/** UI state of the PTZ pads and follow mode (the wall's own store is not touched). */
export interface PtzState {
  /** 0.1…1: the share of each camera's advertised speed range. */
  speed: number;
  followMode: boolean;
  capabilities: Record<string, PtzCapabilities | null>;
  holders: Record<string, PtzHolder | null>;
  presets: Record<string, PtzPreset[]>;
  setSpeed(speed: number): void;
  setFollowMode(on: boolean): void;
  setCapabilities(cameraId: string, capabilities: PtzCapabilities | null): void;
  setHolder(cameraId: string, holder: PtzHolder | null): void;
  setPresets(cameraId: string, presets: PtzPreset[]): void;
}

function storedSpeed(): number {
  try {
    const value = Number(window.localStorage.getItem('ptz.speed'));
    return value >= 0.1 && value <= 1 ? value : 0.5;
  } catch {
    return 0.5;
  }
}

export const usePtz = create<PtzState>((set) => ({
  speed: storedSpeed(),
  followMode: false,
  capabilities: {},
  holders: {},
  presets: {},
  setSpeed: (speed) => {
    try {
      window.localStorage.setItem('ptz.speed', String(speed));
    } catch {
      // private mode: the speed lasts for this page only
    }
    set({ speed });
  },
  setFollowMode: (followMode) => set({ followMode }),
  setCapabilities: (cameraId, capabilities) => set((state) => ({ capabilities: { ...state.capabilities, [cameraId]: capabilities } })),
  setHolder: (cameraId, holder) => set((state) => ({ holders: { ...state.holders, [cameraId]: holder } })),
  setPresets: (cameraId, presets) => set((state) => ({ presets: { ...state.presets, [cameraId]: presets } })),
}));
