import { z } from 'zod';
import { EventEnvelopeSchema } from './contract';

/**
 * The live socket: one WebSocket per page (or window) to the core on 127.0.0.1, carrying raw
 * video frames (binary) and small JSON control messages (text). Frames are paced by the page:
 * the core sends a view's next frame only after the page acknowledged the previous one, and
 * keeps only the newest frame meanwhile, so a slow drawer drops frames instead of queueing them.
 */
export const LIVE_PROTOCOL = 'ccc-live.v1';
/** Subprotocol prefix carrying the token where a cookie cannot be used (Electron). */
export const LIVE_TOKEN_PROTOCOL_PREFIX = 'token.';
export const LIVE_PATH = '/api/live';
export const CALL_PATH = '/api/call';
/** Browser mode: GET SNAPSHOT_PATH + file name downloads a snapshot (token required). */
export const SNAPSHOT_PATH = '/api/snapshots/';

export const ServerTextMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), liveClientId: z.string(), protocol: z.literal(LIVE_PROTOCOL) }),
  z.object({ t: z.literal('event'), envelope: EventEnvelopeSchema }),
  /** This socket's session changed (issue 15): locked (no frames until unlocked), active again, or ended (the socket closes). */
  // wallPlaysOn: this socket is a second screen's wall that keeps its video while locked (site option)
  z.object({ t: z.literal('session'), state: z.enum(['active', 'locked', 'ended']), wallPlaysOn: z.boolean().optional() }),
]);
export type ServerTextMessage = z.infer<typeof ServerTextMessageSchema>;

export const ClientTextMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('ack'), viewId: z.number().int().positive(), seq: z.number().int().nonnegative() }),
  /** Every frame drawn in one animation frame, acknowledged at once: [viewId, seq] pairs. */
  z.strictObject({
    t: z.literal('acks'),
    frames: z.array(z.tuple([z.number().int().positive(), z.number().int().nonnegative()])).max(256),
  }),
  z.strictObject({ t: z.literal('subscribeEvents') }),
]);
export type ClientTextMessage = z.infer<typeof ClientTextMessageSchema>;

// ---- binary frame ---------------------------------------------------------------------------
// offset size field
//  0     1    kind (1 = video frame)
//  1     1    pixel format (1 = I420: Y plane, then U, then V, each row-packed)
//  2     2    reserved (0)
//  4     4    viewId (u32)
//  8     4    seq (u32, per view, counts every decoded frame, so gaps show drops)
// 12     2    width (u16, even)
// 14     2    height (u16, even)
// 16     8    decodedAtMs (f64, wall clock when the core had the whole frame)
// 24     ...  pixels: width*height*3/2 bytes
export const FRAME_HEADER_BYTES = 24;
export const FRAME_KIND_VIDEO = 1;
export const PIXEL_FORMAT_I420 = 1;

export interface FrameHeader {
  viewId: number;
  seq: number;
  width: number;
  height: number;
  decodedAtMs: number;
}

export function i420Bytes(width: number, height: number): number {
  return width * height + 2 * ((width >> 1) * (height >> 1));
}

export function writeFrameHeader(target: Uint8Array, header: FrameHeader): void {
  const view = new DataView(target.buffer, target.byteOffset, FRAME_HEADER_BYTES);
  view.setUint8(0, FRAME_KIND_VIDEO);
  view.setUint8(1, PIXEL_FORMAT_I420);
  view.setUint16(2, 0, true);
  view.setUint32(4, header.viewId, true);
  view.setUint32(8, header.seq >>> 0, true);
  view.setUint16(12, header.width, true);
  view.setUint16(14, header.height, true);
  view.setFloat64(16, header.decodedAtMs, true);
}

/** Parses a frame; returns null for anything malformed (wrong kind, size mismatch). */
export function readFrameHeader(data: ArrayBuffer | Uint8Array): FrameHeader | null {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES);
  if (view.getUint8(0) !== FRAME_KIND_VIDEO || view.getUint8(1) !== PIXEL_FORMAT_I420) return null;
  const width = view.getUint16(12, true);
  const height = view.getUint16(14, true);
  if (width === 0 || height === 0 || width % 2 !== 0 || height % 2 !== 0) return null;
  if (bytes.byteLength !== FRAME_HEADER_BYTES + i420Bytes(width, height)) return null;
  return {
    viewId: view.getUint32(4, true),
    seq: view.getUint32(8, true),
    width,
    height,
    decodedAtMs: view.getFloat64(16, true),
  };
}
