import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Site } from '../../common/site';
import { startCore } from '../../main/core/core';
import { findLabelFont } from '../../main/core/demo/fonts';
import type { ExportEnv } from '../../main/core/export/env';
import { loadStationKey } from '../../main/core/export/stationKey';
import { silentLogger } from '../../main/core/log/logger';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { systemClock } from '../../main/core/util/clock';
import { h264Clip, testFfmpeg } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { tempDir } from '../helpers/paths';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Recorded {
  dataDir: string;
  site: Site;
  startedMs: number;
  stoppedMs: number;
  index: RecordingIndex;
  close(): void;
}

/**
 * Footage made the way the station makes it: the real recorder on the real test RTSP server,
 * 2 cameras with positions (Đông Khê, on QL47), 10 s segments, camera 2 offline for ~7 s in the
 * middle (a `cameraOffline` gap). About 40 s of wall time.
 */
export async function recordFootage(seconds = 36): Promise<Recorded> {
  const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
  const rtsp = await RtspTestServer.start(['/cam1', '/cam2'].map((mount) => ({ path: mount, clip })));
  const dir = tempDir('export-rec');
  const dataDir = path.join(dir, 'data');
  const siteJson = {
    schemaVersion: 1,
    name: 'Công an xã Đông Khê',
    recording: { segmentSeconds: 10, minFreeGb: 0.05 },
    cameras: [
      { id: 'cam-1', name: 'Ngã ba QL47 – chợ Đông Khê', village: 'Thôn Đông Khê', latitude: 19.8712, longitude: 105.6204, streams: { main: rtsp.url('/cam1') } },
      { id: 'cam-2', name: 'Cổng trường tiểu học', village: 'Thôn Yên Lược', latitude: 19.8745, longitude: 105.6251, streams: { main: rtsp.url('/cam2') } },
    ],
  };
  const sitePath = path.join(dir, 'site.json');
  fs.writeFileSync(sitePath, JSON.stringify(siteJson));
  const core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
  const startedMs = Date.now();
  await sleep(14_000);
  await rtsp.stopMount('/cam2');
  await sleep(7000);
  await rtsp.startMount('/cam2');
  await sleep(Math.max(0, seconds * 1000 - (Date.now() - startedMs)));
  const stoppedMs = Date.now();
  await core.stop();
  await rtsp.close();
  const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
  return { dataDir, site: siteJson as Site, startedMs, stoppedMs, index, close: () => index.close() };
}

export async function exportEnv(recorded: Recorded, site: Site = recorded.site): Promise<ExportEnv> {
  const ffmpeg = await testFfmpeg();
  return {
    site,
    index: recorded.index,
    recordingsRoot: path.join(recorded.dataDir, 'recordings'),
    dataDir: recorded.dataDir,
    version: 'test',
    ffmpeg: { binary: ffmpeg.path, clock: systemClock, log: silentLogger },
    clock: systemClock,
    log: silentLogger,
    pin: () => () => undefined,
    burnIn: ffmpeg.h264Encoder && ffmpeg.hasDrawtext && findLabelFont() ? { encoder: ffmpeg.h264Encoder, fontFile: findLabelFont()! } : null,
    // the station key in the browser-mode form (0600 PEM in DATA), made at the first use
    stationKey: () => loadStationKey(recorded.dataDir, null),
  };
}

/** A real tmpfs "USB stick" of `sizeMb` (the tests run as root). */
export function mountStick(sizeMb: number): { dir: string; unmount(): void } {
  const dir = tempDir('stick');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}

export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    const stick = mountStick(1);
    stick.unmount();
    return true;
  } catch {
    return false;
  }
}

/** Every file and folder under `dir`, relative. */
export function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((name) => name.split(path.sep).join('/')).sort();
}
