import { create } from 'zustand';
import type { CameraSummary, SessionInfo, SiteSummary, StreamStatus } from '../common/contract';
import type { Language } from '../common/i18n';
import { DEFAULT_LAYOUT_ID } from './wall/layouts';

export type ConnectionState = 'starting' | 'ready' | 'lost' | 'unauthorized';

export interface ConsoleState {
  connection: ConnectionState;
  session: SessionInfo | null;
  site: SiteSummary | null;
  cameras: CameraSummary[];
  /** Keyed by `${cameraId}/${stream}`. */
  statuses: Record<string, StreamStatus>;
  liveClientId: string | null;
  layoutId: string;
  page: number;
  language: Language;
  setConnection(connection: ConnectionState): void;
  setLoaded(session: SessionInfo, site: SiteSummary, cameras: CameraSummary[], statuses: StreamStatus[]): void;
  setStatus(status: StreamStatus): void;
  setLiveClientId(id: string | null): void;
  setLayout(layoutId: string): void;
  setPage(page: number): void;
  setLanguage(language: Language): void;
}

export function statusKey(cameraId: string, stream: string): string {
  return `${cameraId}/${stream}`;
}

export const useConsole = create<ConsoleState>((set) => ({
  connection: 'starting',
  session: null,
  site: null,
  cameras: [],
  statuses: {},
  liveClientId: null,
  layoutId: DEFAULT_LAYOUT_ID,
  page: 0,
  language: 'vi',
  setConnection: (connection) => set({ connection }),
  setLoaded: (session, site, cameras, statuses) =>
    set({
      session,
      site,
      cameras,
      statuses: Object.fromEntries(statuses.map((status) => [statusKey(status.cameraId, status.stream), status])),
      connection: 'ready',
    }),
  setStatus: (status) => set((state) => ({ statuses: { ...state.statuses, [statusKey(status.cameraId, status.stream)]: status } })),
  setLiveClientId: (liveClientId) => set({ liveClientId }),
  setLayout: (layoutId) => set({ layoutId, page: 0 }),
  setPage: (page) => set({ page }),
  setLanguage: (language) => set({ language }),
}));
