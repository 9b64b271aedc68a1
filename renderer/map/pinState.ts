import type { CameraSummary, RecordingStatus, StreamStatus } from '../../common/contract';
import { statusKey } from '../store';

export type PinState = 'live' | 'connecting' | 'offline' | 'idle';

/** One colour per camera from its streams: live if any stream is, red if one is lost and none live. */
export function pinStateOf(camera: CameraSummary, statuses: Record<string, StreamStatus>): PinState {
  const states = camera.streams.map((stream) => statuses[statusKey(camera.id, stream)]?.state ?? 'idle');
  if (states.includes('live')) return 'live';
  if (states.includes('offline')) return 'offline';
  if (states.includes('reconnecting') || states.includes('connecting')) return 'connecting';
  return 'idle';
}

export function isRecording(cameraId: string, recording: Record<string, RecordingStatus>): boolean {
  return recording[cameraId]?.state === 'recording';
}
