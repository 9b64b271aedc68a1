import { create } from 'zustand';
import { useConsole } from '../store';
import type { ExportDraft } from './exportRange';

/**
 * The hand-over to the export page: a page (playback, bookmarks, map) calls `openExport(draft)`;
 * the export page fills its form from the draft when it mounts, or at once when it is open, and
 * takes it (a draft is applied once).
 */
interface ExportDraftState {
  draft: (ExportDraft & { seq: number }) | null;
  take(seq: number): void;
}

let seq = 0;

export const useExportDraft = create<ExportDraftState>((set, get) => ({
  draft: null,
  take: (taken) => {
    if (get().draft?.seq === taken) set({ draft: null });
  },
}));

export function openExport(draft: ExportDraft): void {
  useExportDraft.setState({ draft: { ...draft, seq: ++seq } });
  useConsole.getState().setPage('exports');
}
