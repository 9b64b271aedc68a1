import fs from 'node:fs';
import path from 'node:path';
import { startCore, type RunningCore } from '../../main/core/core';
import { RecordingIndex, type GapRow, type SegmentRow } from '../../main/core/recording/recordingIndex';
import { RtspTestServer } from '../helpers/rtspServer';
import { cacheDir, tempDir } from '../helpers/paths';

/**
 * Real recordings for the playback tests and bench:playback: 4 test cameras of kind `timecode`
 * (every frame carries its send time, common/timecode.ts) recorded by the real recorder through
 * the real RTSP server, with 10 s segments (the site minimum) for ~70 s; camera 3 is stopped for
 * 12 s in the middle (a `cameraOffline` gap). Made once and kept under test-results/cache
 * (the e2e test and the bench reuse them); every user gets its own copy of the data folder.
 */
export const PLAYBACK_CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'] as const;
export const FIXTURE_FPS = 15;
const FIXTURE_VERSION = 'playback-v1';
const RECORD_MS = 70_000;
const GAP_AFTER_MS = 25_000;
const GAP_MS = 12_000;

export interface PlaybackRecordings {
  /** A fresh copy of the data folder (recordings, index), for one test file. */
  dataDir: string;
  /** Site file with recording off (playback only; nothing more is written). */
  sitePath: string;
  segments: SegmentRow[];
  gaps: GapRow[];
}

function writeSite(file: string, urls: string[], recordingOff: boolean): void {
  fs.writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      name: 'Xem lại',
      recording: { segmentSeconds: 10, minFreeGb: 0.05 },
      cameras: urls.map((url, index) => ({
        id: PLAYBACK_CAMERAS[index],
        name: `Camera ${index + 1}`,
        streams: { main: url },
        ...(recordingOff ? { recording: { stream: 'off' } } : {}),
      })),
    }),
  );
}

async function record(target: string): Promise<void> {
  const mounts = PLAYBACK_CAMERAS.map((_, index) => `/cam${index + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, kind: 'timecode' as const, width: 320, height: 180, fps: FIXTURE_FPS })));
  const work = tempDir('pb-record');
  const sitePath = path.join(work, 'site.json');
  writeSite(sitePath, mounts.map((mount) => rtsp.url(mount)), false);
  const dataDir = path.join(work, 'data');
  let core: RunningCore | null = null;
  try {
    core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, GAP_AFTER_MS));
    await rtsp.stopMount('/cam3');
    await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    await rtsp.startMount('/cam3');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, RECORD_MS - (Date.now() - started))));
  } finally {
    await core?.stop();
    await rtsp.close();
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(dataDir, target, { recursive: true });
  fs.writeFileSync(path.join(target, 'fixture.json'), JSON.stringify({ version: FIXTURE_VERSION, madeAtMs: Date.now() }));
  fs.rmSync(work, { recursive: true, force: true });
}

let making: Promise<void> | null = null;

export async function playbackRecordings(): Promise<PlaybackRecordings> {
  const cached = path.join(cacheDir, FIXTURE_VERSION);
  if (!fs.existsSync(path.join(cached, 'fixture.json'))) {
    making ??= record(cached);
    await making;
  }
  const work = tempDir('pb');
  const dataDir = path.join(work, 'data');
  fs.cpSync(cached, dataDir, { recursive: true });
  const sitePath = path.join(work, 'site.json');
  writeSite(sitePath, PLAYBACK_CAMERAS.map((_, index) => `rtsp://127.0.0.1:9/cam${index + 1}`), true);
  const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
  try {
    const segments = index.allSegments();
    const gaps = PLAYBACK_CAMERAS.flatMap((cameraId) => index.gaps(cameraId, 'main', 0, Number.MAX_SAFE_INTEGER));
    return { dataDir, sitePath, segments, gaps };
  } finally {
    index.close();
  }
}
