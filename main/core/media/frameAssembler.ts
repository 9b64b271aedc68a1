import { FRAME_HEADER_BYTES, i420Bytes } from '../../../common/liveProtocol';

/**
 * Cuts a decoder's raw I420 output into whole frames. Each frame is allocated with room for the
 * live-socket header in front, so sending it costs no further copy.
 */
export class FrameAssembler {
  readonly frameBytes: number;
  private current: Buffer | null = null;
  private filled = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.frameBytes = i420Bytes(width, height);
  }

  /** Returns the frames completed by this chunk (header bytes left for the caller to fill). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        this.current = Buffer.allocUnsafe(FRAME_HEADER_BYTES + this.frameBytes);
        this.filled = 0;
      }
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.current, FRAME_HEADER_BYTES + this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        frames.push(this.current);
        this.current = null;
      }
    }
    return frames;
  }

  reset(): void {
    this.current = null;
    this.filled = 0;
  }
}
