import { create } from 'zustand';

/** Where the playback page should open next (a bookmark, an instant replay), and its selection. */
export interface PlaybackRequest {
  cameraIds: string[];
  atMs: number;
  play: boolean;
  /** Instant replay of one live camera: a "back to live" bar, and back by itself at `untilMs`. */
  replay: { cameraId: string; untilMs: number } | null;
  /** Grows with every request, so the same place asked twice still moves the page. */
  revision: number;
}

interface PlaybackUiState {
  request: PlaybackRequest | null;
  /** The cameras picked on the playback page (kept while the officer goes to the wall and back). */
  selection: string[];
  layout: 1 | 4 | 9 | 16;
  ask(request: Omit<PlaybackRequest, 'revision'>): void;
  setSelection(selection: string[]): void;
  setLayout(layout: 1 | 4 | 9 | 16): void;
}

let revision = 0;

export const usePlaybackUi = create<PlaybackUiState>((set) => ({
  request: null,
  selection: [],
  layout: 4,
  ask: (request) => set({ request: { ...request, revision: ++revision } }),
  setSelection: (selection) => set({ selection: selection.slice(0, 16) }),
  setLayout: (layout) => set({ layout }),
}));

/** The smallest layout that holds `count` tiles. */
export function layoutFor(count: number): 1 | 4 | 9 | 16 {
  return count <= 1 ? 1 : count <= 4 ? 4 : count <= 9 ? 9 : 16;
}
