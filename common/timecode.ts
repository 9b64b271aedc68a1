/**
 * A machine-readable clock burned into test video, for measuring glass-to-glass latency: the
 * test camera writes the wall-clock time it sent a frame (ms, modulo 2^32) as 32 black/white
 * blocks across the top band of the picture, most significant bit first; the renderer reads it
 * back from the frame it draws. Blocks are large (1/32 of the width, 1/8 of the height) so the
 * code survives H.264 and scaling to a small tile.
 *
 * Layout in a frame of width W, height H: block i covers x in [i*W/32, (i+1)*W/32), y in
 * [0, H/8). White (luma 235) is 1, black (luma 16) is 0. tests/helpers/rtsp_server.py writes it.
 */
export const TIMECODE_BITS = 32;
export const TIMECODE_BAND = 1 / 8;

export function timecodeBits(ms: number): number[] {
  const value = Math.floor(ms) % 2 ** 32;
  const bits: number[] = [];
  for (let bit = TIMECODE_BITS - 1; bit >= 0; bit--) bits.push(Math.floor(value / 2 ** bit) % 2);
  return bits;
}

/** Reads the code from an I420 frame's Y plane; samples the middle of each block. */
export function readTimecode(yPlane: Uint8Array, width: number, height: number): number {
  const row = Math.max(0, Math.floor((height * TIMECODE_BAND) / 2));
  let value = 0;
  for (let index = 0; index < TIMECODE_BITS; index++) {
    const x = Math.min(width - 1, Math.floor(((index + 0.5) * width) / TIMECODE_BITS));
    value = value * 2 + ((yPlane[row * width + x] ?? 0) >= 128 ? 1 : 0);
  }
  return value;
}

/** Latency from a code read at `nowMs`, undoing the modulo (codes are never from the future). */
export function timecodeLatencyMs(code: number, nowMs: number): number {
  const nowCode = Math.floor(nowMs) % 2 ** 32;
  return (nowCode - code + 2 ** 32) % 2 ** 32;
}
