import type { PageId } from './featureTypes';
import { create } from 'zustand';
import type { CameraSummary, LiveStats, RecordingStatus, SavedView, SessionInfo, SiteSummary, StreamStatus, Tour, ViewHealth } from '../common/contract';
import type { Language } from '../common/i18n';
import { DEFAULT_LAYOUT_ID, LAYOUTS, MAX_TILES, layoutById } from './util/layouts';

export type ConnectionState = 'starting' | 'ready' | 'lost' | 'unauthorized';

/** A tile showing the commune map instead of a camera (issue 6). Never a camera id: those start with a letter or digit. */
export const MAP_TILE = '@map';

/** What a wall shows: a layout, a camera per tile, the maximized tile and the tours. */
export interface WallArrangement {
  layoutId: string;
  /** Camera id per tile position (MAX_TILES long); tiles beyond the layout are kept, not shown. */
  tiles: (string | null)[];
  maximized: number | null;
  tileTours: Record<number, Tour>;
  wallTour: Tour | null;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** A snapshot the toast can offer to open or download. */
  snapshotFile?: string;
}

export interface ConsoleState {
  connection: ConnectionState;
  session: SessionInfo | null;
  site: SiteSummary | null;
  cameras: CameraSummary[];
  /** Keyed by `${cameraId}/${stream}`. */
  statuses: Record<string, StreamStatus>;
  viewHealth: Record<number, ViewHealth>;
  /** By camera id. */
  recording: Record<string, RecordingStatus>;
  page: PageId;
  liveStats: LiveStats | null;
  liveClientId: string | null;
  visible: boolean;
  wall: WallArrangement;
  selectedTile: number | null;
  showStats: boolean;
  showCameraList: boolean;
  savedViews: SavedView[];
  toasts: Toast[];
  language: Language;
  setConnection(connection: ConnectionState): void;
  setLoaded(session: SessionInfo, site: SiteSummary, cameras: CameraSummary[], statuses: StreamStatus[]): void;
  setCameras(cameras: CameraSummary[]): void;
  setStatus(status: StreamStatus): void;
  setViewHealth(health: ViewHealth): void;
  setRecording(statuses: RecordingStatus[]): void;
  setPage(page: PageId): void;
  setLiveStats(stats: LiveStats | null): void;
  setLiveClientId(id: string | null): void;
  setVisible(visible: boolean): void;
  setLayout(layoutId: string): void;
  assign(tile: number, cameraId: string | null): void;
  swap(from: number, to: number): void;
  toggleMaximized(tile: number): void;
  selectTile(tile: number | null): void;
  setTileTour(tile: number, tour: Tour | null): void;
  setWallTour(tour: Tour | null): void;
  applyView(view: SavedView): void;
  setSavedViews(views: SavedView[]): void;
  setShowStats(show: boolean): void;
  setShowCameraList(show: boolean): void;
  toast(kind: Toast['kind'], text: string, snapshotFile?: string): void;
  dismissToast(id: number): void;
  setLanguage(language: Language): void;
}

/**
 * Events come over the live socket, lists over HTTP: a list answered before an event may arrive
 * after it. The core numbers every state it sends; an older one never replaces a newer one.
 */
export function isStale(held: { revision: number } | undefined, incoming: { revision: number }): boolean {
  return held !== undefined && held.revision > incoming.revision;
}

export function statusKey(cameraId: string, stream: string): string {
  return `${cameraId}/${stream}`;
}

/** Which window this is (?screen=2 for a second monitor); each keeps its own wall. */
export function screenId(): string {
  const value = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('screen');
  return value && /^[1-9]$/.test(value) ? value : '1';
}

function wallKey(): string {
  return `console.wall.${screenId()}`;
}

function emptyWall(cameras: CameraSummary[] = []): WallArrangement {
  return {
    layoutId: DEFAULT_LAYOUT_ID,
    tiles: Array.from({ length: MAX_TILES }, (_, index) => cameras[index]?.id ?? null),
    maximized: null,
    tileTours: {},
    wallTour: null,
  };
}

/** The wall saved in this browser for this screen, with cameras that no longer exist removed. */
function restoredWall(cameras: CameraSummary[]): WallArrangement {
  const known = new Set(cameras.map((camera) => camera.id));
  try {
    const raw = JSON.parse(localStorage.getItem(wallKey()) ?? 'null') as Partial<WallArrangement> | null;
    if (!raw || !Array.isArray(raw.tiles) || typeof raw.layoutId !== 'string') return emptyWall(cameras);
    const tiles = Array.from({ length: MAX_TILES }, (_, index) => {
      const id = raw.tiles?.[index];
      return typeof id === 'string' && (known.has(id) || id === MAP_TILE) ? id : null;
    });
    return {
      layoutId: LAYOUTS.some((layout) => layout.id === raw.layoutId) ? raw.layoutId : DEFAULT_LAYOUT_ID,
      tiles,
      maximized: null,
      tileTours: {},
      wallTour: null,
    };
  } catch {
    return emptyWall(cameras);
  }
}

function persist(wall: WallArrangement): void {
  try {
    localStorage.setItem(wallKey(), JSON.stringify({ layoutId: wall.layoutId, tiles: wall.tiles }));
  } catch {
    // storage unavailable: the arrangement lasts for this page only
  }
}

let nextToastId = 1;

export const useConsole = create<ConsoleState>((set, get) => {
  const updateWall = (change: (wall: WallArrangement) => WallArrangement): void => {
    const wall = change(get().wall);
    persist(wall);
    set({ wall });
  };
  return {
    connection: 'starting',
    session: null,
    site: null,
    cameras: [],
    statuses: {},
    viewHealth: {},
    recording: {},
    page: 'wall',
    liveStats: null,
    liveClientId: null,
    visible: typeof document === 'undefined' ? true : document.visibilityState !== 'hidden',
    wall: emptyWall(),
    selectedTile: null,
    showStats: false,
    showCameraList: true,
    savedViews: [],
    toasts: [],
    language: 'vi',
    setConnection: (connection) => set({ connection }),
    setLoaded: (session, site, cameras, statuses) =>
      set({
        session,
        site,
        cameras,
        statuses: Object.fromEntries(statuses.map((status) => [statusKey(status.cameraId, status.stream), status])),
        connection: 'ready',
        wall: restoredWall(cameras),
      }),
    setCameras: (cameras) => set({ cameras }),
    setStatus: (status) =>
      set((state) => {
        const key = statusKey(status.cameraId, status.stream);
        return isStale(state.statuses[key], status) ? {} : { statuses: { ...state.statuses, [key]: status } };
      }),
    setViewHealth: (health) => set((state) => ({ viewHealth: { ...state.viewHealth, [health.viewId]: health } })),
    setRecording: (statuses) =>
      set((state) => ({
        recording: { ...state.recording, ...Object.fromEntries(statuses.filter((status) => !isStale(state.recording[status.cameraId], status)).map((status) => [status.cameraId, status])) },
      })),
    setPage: (page) => set({ page }),
    setLiveStats: (liveStats) => set({ liveStats }),
    setLiveClientId: (liveClientId) => set({ liveClientId }),
    setVisible: (visible) => set({ visible }),
    setLayout: (layoutId) => updateWall((wall) => ({ ...wall, layoutId: layoutById(layoutId).id, maximized: null })),
    assign: (tile, cameraId) =>
      updateWall((wall) => {
        const tiles = [...wall.tiles];
        tiles[tile] = cameraId;
        const tileTours = { ...wall.tileTours };
        delete tileTours[tile];
        return { ...wall, tiles, tileTours };
      }),
    swap: (from, to) =>
      updateWall((wall) => {
        const tiles = [...wall.tiles];
        [tiles[from], tiles[to]] = [tiles[to] ?? null, tiles[from] ?? null];
        const tileTours = { ...wall.tileTours };
        const fromTour = tileTours[from];
        const toTour = tileTours[to];
        delete tileTours[from];
        delete tileTours[to];
        if (fromTour) tileTours[to] = fromTour;
        if (toTour) tileTours[from] = toTour;
        return { ...wall, tiles, tileTours };
      }),
    toggleMaximized: (tile) => updateWall((wall) => ({ ...wall, maximized: wall.maximized === tile ? null : tile })),
    selectTile: (selectedTile) => set({ selectedTile }),
    setTileTour: (tile, tour) =>
      updateWall((wall) => {
        const tileTours = { ...wall.tileTours };
        if (tour) tileTours[tile] = tour;
        else delete tileTours[tile];
        const tiles = [...wall.tiles];
        if (tour) tiles[tile] = tour.cameraIds[0] ?? null;
        return { ...wall, tiles, tileTours };
      }),
    setWallTour: (wallTour) => updateWall((wall) => ({ ...wall, wallTour, maximized: null })),
    applyView: (view) =>
      updateWall(() => {
        const known = new Set(get().cameras.map((camera) => camera.id));
        const tileTours: Record<number, Tour> = {};
        for (const [index, tour] of Object.entries(view.tileTours ?? {})) tileTours[Number(index)] = tour;
        return {
          layoutId: layoutById(view.layoutId).id,
          tiles: Array.from({ length: MAX_TILES }, (_, index) => {
            const id = view.tiles[index];
            return id && known.has(id) ? id : null;
          }),
          maximized: null,
          tileTours,
          wallTour: view.wallTour ?? null,
        };
      }),
    setSavedViews: (savedViews) => set({ savedViews }),
    setShowStats: (showStats) => set({ showStats }),
    setShowCameraList: (showCameraList) => set({ showCameraList }),
    toast: (kind, text, snapshotFile) => {
      const id = nextToastId++;
      set((state) => ({ toasts: [...state.toasts.slice(-3), { id, kind, text, snapshotFile }] }));
      window.setTimeout(() => get().dismissToast(id), kind === 'error' ? 10000 : 6000);
    },
    dismissToast: (id) => set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) })),
    setLanguage: (language) => set({ language }),
  };
});

/** The wall as a saved view, under a name. */
export function currentView(name: string): SavedView {
  const wall = useConsole.getState().wall;
  const tileTours: Record<string, Tour> = {};
  for (const [index, tour] of Object.entries(wall.tileTours)) tileTours[index] = tour;
  // A saved view holds camera ids only: a map tile is saved as an empty tile.
  return { name, layoutId: wall.layoutId, tiles: wall.tiles.map((tile) => (tile === MAP_TILE ? null : tile)), tileTours, wallTour: wall.wallTour };
}
