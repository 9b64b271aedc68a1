import { parentPort } from 'node:worker_threads';
import { openMbtiles, openPmtiles, TileArchiveError, type TileArchive } from './tiles';
import type { FromTileWorker, ToTileWorker } from './tileWorkerProtocol';

/**
 * The map worker: the only place where an imported PMTiles or MBTiles file is opened. It runs
 * in a worker thread with a small heap (resourceLimits) and every request has a deadline, set
 * by `TileWorkerHost`; a file that still manages to exhaust it kills this thread, not the core.
 */
const port = parentPort;
const open = new Map<string, TileArchive>();
/** Archives kept open for tiles, least recently used dropped first. */
const MAX_OPEN = 8;

function archiveFor(kind: 'pmtiles' | 'mbtiles', file: string): TileArchive {
  let archive = open.get(file);
  if (archive) {
    open.delete(file);
    open.set(file, archive);
    return archive;
  }
  archive = kind === 'pmtiles' ? openPmtiles(file) : openMbtiles(file, false);
  open.set(file, archive);
  for (const [key, old] of open) {
    if (open.size <= MAX_OPEN) break;
    open.delete(key);
    old.close();
  }
  return archive;
}

function handle(message: ToTileWorker): FromTileWorker {
  try {
    if (message.op === 'check') {
      const archive = message.kind === 'pmtiles' ? openPmtiles(message.file, true) : openMbtiles(message.file, true);
      archive.close();
      return { id: message.id, ok: true, info: archive.info, data: null };
    }
    if (message.op === 'tile') {
      const data = archiveFor(message.kind, message.file).tile(message.z, message.x, message.y);
      return { id: message.id, ok: true, info: null, data };
    }
    open.get(message.file)?.close();
    open.delete(message.file);
    return { id: message.id, ok: true, info: null, data: null };
  } catch (error) {
    if (error instanceof TileArchiveError) return { id: message.id, ok: false, problem: error.problem, detail: error.message };
    return { id: message.id, ok: false, problem: 'badPmtiles', detail: String((error as Error).message ?? error).slice(0, 160) };
  }
}

port?.on('message', (message: ToTileWorker) => {
  port.postMessage(handle(message));
});
