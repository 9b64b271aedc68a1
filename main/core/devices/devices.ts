import type { DeviceProblem, DeviceProblemInfo } from '../../../common/ptzContract';
import { CameraSchema, STREAM_URL_PATTERN, type Camera } from '../../../common/site';
import { SiteWriteError, type SiteStore } from '../site/siteStore';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { runFfmpegOnce, type EndReason, type SupervisorDeps } from '../ffmpeg/supervisor';
import { classifyPullFailure, NETWORK_FAILURE } from '../ffmpeg/probeParse';
import type { Logger } from '../log/logger';
import { hostOf, splitCredentials, withCredentials, type CredentialStore, type Credentials } from './credentials';
import { cameraIdFrom } from './vendors';

/**
 * Adding cameras: through the site file's one owner (`SiteStore.addCameras`: file first, with
 * its formatting kept and the schema re-checked, then memory, then `camerasChanged` to the hub,
 * the recorder and the UIs), credentials to the encrypted store. The site file holds URLs
 * without credentials and a `credentialsRef`; the pulls get the credentials in memory.
 */

export class DeviceProblemError extends Error {
  constructor(
    readonly code: DeviceProblem,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }

  get info(): DeviceProblemInfo {
    return { code: this.code, detail: this.detail.slice(0, 300) };
  }
}

export interface NewCamera {
  name: string;
  village?: string;
  main: string;
  sub?: string;
  ptz?: boolean;
  onvifAddress?: string;
  credentials: Credentials | null;
}

/** Applies the stored credentials to the cameras' stream URLs in memory (at start, before any pull). */
export function applyStoredCredentials(site: SiteStore, store: CredentialStore, log: Logger): void {
  site.overlayCredentials((camera) => {
    if (!camera.credentialsRef) return null;
    const credentials = store.get(camera.credentialsRef);
    if (!credentials) {
      log.warn('stored credentials missing or unreadable', { cameraId: camera.id, ref: camera.credentialsRef });
      return null;
    }
    return { main: withCredentials(camera.streams.main, credentials), ...(camera.streams.sub ? { sub: withCredentials(camera.streams.sub, credentials) } : {}) };
  });
}

export class DeviceRegistry {
  constructor(
    private readonly siteStore: SiteStore,
    private readonly store: CredentialStore,
    private readonly log: Logger,
  ) {}

  private get site() {
    return this.siteStore.site;
  }

  get siteWritable(): boolean {
    return this.siteStore.writable;
  }

  /** Adds cameras (all or none); returns their ids. */
  add(cameras: NewCamera[]): string[] {
    const taken = new Set(this.site.cameras.map((camera) => camera.id));
    const existing = new Set(this.site.cameras.map((camera) => streamKey(camera.streams.main)));
    const made: { stored: Camera; live: Camera; credentials: Credentials | null }[] = [];
    for (const input of cameras) {
      const split = splitCredentials(input.main);
      const credentials = input.credentials ?? split.credentials;
      const main = split.url;
      const sub = input.sub ? splitCredentials(input.sub).url : undefined;
      if (!STREAM_URL_PATTERN.test(main) || (sub !== undefined && !STREAM_URL_PATTERN.test(sub))) throw new DeviceProblemError('badAddress', 'stream URL must be rtsp:// or rtsps://');
      if (existing.has(streamKey(main))) throw new DeviceProblemError('duplicate', hostOf(main));
      existing.add(streamKey(main));
      const id = cameraIdFrom(input.name, taken);
      taken.add(id);
      const ref = credentials && credentials.username ? `camera:${id}` : undefined;
      const stored: Camera = {
        id,
        name: input.name,
        ...(input.village ? { village: input.village } : {}),
        ...(input.ptz ? { ptz: true } : {}),
        ...(input.onvifAddress ? { onvif: { address: input.onvifAddress, ...(ref ? { credentialsRef: ref } : {}) } } : {}),
        ...(ref ? { credentialsRef: ref } : {}),
        streams: { main, ...(sub ? { sub } : {}) },
      };
      const parsed = CameraSchema.safeParse(stored);
      if (!parsed.success) throw new DeviceProblemError('badAddress', parsed.error.issues.map((issue) => issue.path.join('.')).join(', '));
      const live: Camera = { ...stored, streams: { main: withCredentials(main, credentials), ...(sub ? { sub: withCredentials(sub, credentials) } : {}) } };
      made.push({ stored, live, credentials });
    }
    // the credentials first: a camera in the file always finds its credentialsRef
    for (const entry of made) if (entry.credentials && entry.stored.credentialsRef) this.store.put(entry.stored.credentialsRef, entry.credentials);
    try {
      this.siteStore.addCameras(made);
    } catch (error) {
      if (error instanceof SiteWriteError) throw new DeviceProblemError(error.code === 'badRequest' ? 'badAddress' : 'siteNotSaved', error.detail);
      throw error;
    }
    for (const entry of made) this.log.info('camera added', { cameraId: entry.stored.id, host: hostOf(entry.stored.streams.main), onvif: Boolean(entry.stored.onvif), saved: this.siteWritable });
    return made.map((entry) => entry.stored.id);
  }

  credentials(camera: Camera): Credentials | null {
    const ref = camera.onvif?.credentialsRef ?? camera.credentialsRef;
    return ref ? this.store.get(ref) : null;
  }

  hasCredentials(camera: Camera): boolean {
    const ref = camera.onvif?.credentialsRef ?? camera.credentialsRef;
    return ref ? this.store.has(ref) : false;
  }
}

function streamKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port}${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/** One picture from an RTSP URL, as a PNG data URL (the "test" button before adding). */
export async function testPicture(ffmpeg: FfmpegInfo | null, deps: SupervisorDeps, url: string, credentials: Credentials | null): Promise<{ png: Buffer | null; problem: DeviceProblemInfo | null }> {
  if (!ffmpeg) return { png: null, problem: { code: 'ffmpegMissing', detail: '' } };
  const split = splitCredentials(url);
  if (!STREAM_URL_PATTERN.test(split.url) || split.url.startsWith('demo:')) return { png: null, problem: { code: 'badAddress', detail: 'rtsp:// or rtsps://' } };
  const full = withCredentials(split.url, credentials ?? split.credentials);
  const result = await runFfmpegOnce(
    deps,
    'test picture',
    [
      '-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin',
      '-rtsp_transport', 'tcp', `-${ffmpeg.rtspTimeoutOption}`, '5000000',
      '-i', full,
      '-frames:v', '1', '-vf', 'scale=w=min(640\\,iw):h=-2', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1',
    ],
    { timeoutMs: 12000, maxStdoutBytes: 3 * 1024 * 1024 },
  );
  if (result.code === 0 && result.stdout.length > 8 && result.stdout.subarray(1, 4).toString('latin1') === 'PNG') return { png: result.stdout, problem: null };
  const tail = result.stderrTail;
  return { png: null, problem: { code: testPictureProblem(tail, result.reason), detail: tail.split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300) } };
}

/**
 * Why a test picture failed, read by the one classifier every pull uses (a loose "401" would
 * also match a port number or a byte count in ffmpeg's output).
 */
export function testPictureProblem(stderrTail: string, reason: EndReason): DeviceProblem {
  if (reason === 'stopped') return 'unreachable'; // the 12-s deadline: nothing answered in time
  const pull = classifyPullFailure(stderrTail, reason, false);
  if (pull === 'authFailed') return 'authFailed';
  if (pull === 'notFound') return 'noMedia';
  return NETWORK_FAILURE.test(stderrTail) ? 'unreachable' : 'noPicture';
}
