import type { FrameHeader } from '../../common/liveProtocol';
import type { ViewDrawStats } from '../../common/diagnostics';
import { readTimecode, timecodeLatencyMs } from '../../common/timecode';

function clampOffset(offset: number, scale: number): number {
  return Math.max(0, Math.min(1 - scale, offset));
}

/**
 * The whole wall in ONE WebGL2 canvas (Chromium keeps at most 16 WebGL contexts per page): each
 * tile is a viewport + scissor rectangle, each frame three R8 textures (Y, U, V) converted to RGB
 * in the fragment shader. Only tiles with a new frame are redrawn (the drawing buffer is
 * preserved), which matters where GL runs in software. A frame is acknowledged to the core only
 * once drawn, so the core never sends faster than this page draws.
 */
export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Digital zoom of a tile: `scale` ≥ 1 around (`centerX`, `centerY`) in picture fractions. */
export interface TileZoom {
  scale: number;
  centerX: number;
  centerY: number;
}

export const NO_ZOOM: TileZoom = { scale: 1, centerX: 0.5, centerY: 0.5 };

interface TileState {
  rect: TileRect;
  viewId: number | null;
  /** A view opening for the same camera (other stream or size): shown from its first frame on. */
  nextViewId: number | null;
  grey: boolean;
  zoom: TileZoom;
  textures: [WebGLTexture, WebGLTexture, WebGLTexture] | null;
  textureWidth: number;
  textureHeight: number;
  hasPicture: boolean;
  dirty: boolean;
}

interface PendingFrame {
  header: FrameHeader;
  pixels: Uint8Array;
}


const VERTEX_SHADER = `#version 300 es
in vec2 position;
uniform vec2 uvScale;
uniform vec2 uvOffset;
out vec2 uv;
void main() {
  uv = uvOffset + uvScale * vec2((position.x + 1.0) * 0.5, 1.0 - (position.y + 1.0) * 0.5);
  gl_Position = vec4(position, 0.0, 1.0);
}`;

// BT.601 limited range, the usual meaning of untagged camera video.
const FRAGMENT_SHADER = `#version 300 es
precision mediump float;
in vec2 uv;
uniform sampler2D planeY;
uniform sampler2D planeU;
uniform sampler2D planeV;
uniform float grey;
out vec4 color;
void main() {
  float y = (texture(planeY, uv).r - 0.0627) * 1.1644;
  float u = texture(planeU, uv).r - 0.5;
  float v = texture(planeV, uv).r - 0.5;
  vec3 rgb = vec3(y + 1.5960 * v, y - 0.3918 * u - 0.8130 * v, y + 2.0172 * u);
  if (grey > 0.5) {
    float luma = dot(rgb, vec3(0.299, 0.587, 0.114));
    rgb = vec3(luma * 0.45 + 0.05);
  }
  color = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}`;

export class GlWall {
  private readonly gl: WebGL2RenderingContext;
  private readonly program: WebGLProgram;
  private readonly greyLocation: WebGLUniformLocation | null;
  private readonly uvScaleLocation: WebGLUniformLocation | null;
  private readonly uvOffsetLocation: WebGLUniformLocation | null;
  private readonly latencyProbes = new Set<number>();
  private readonly latencySamples: { viewId: number; latencyMs: number }[] = [];
  private readonly tiles = new Map<string, TileState>();
  private readonly pending = new Map<number, PendingFrame>();
  private readonly viewStats = new Map<number, ViewDrawStats>();
  private animation: number | null = null;
  private cssWidth = 0;
  private cssHeight = 0;
  private fullRedraw = true;
  readonly renderer: string;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onDrawn: (viewId: number, seq: number) => void,
    /** A tile's next view drew its first frame: the previous view can be closed. */
    private readonly onPromoted: (tileKey: string, viewId: number, previousViewId: number | null) => void = () => undefined,
    /**
     * The canvas's size in CSS pixels when known: the drawing buffer is sized before the context
     * exists, so it is allocated once (each later change of width or height reallocates it:
     * ~200 ms each in software GL, bench:open).
     */
    initialSize: { width: number; height: number } | null = null,
  ) {
    if (initialSize && initialSize.width > 0 && initialSize.height > 0) {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(initialSize.width * ratio));
      canvas.height = Math.max(1, Math.round(initialSize.height * ratio));
      this.cssWidth = initialSize.width;
      this.cssHeight = initialSize.height;
    }
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true, desynchronized: true, powerPreference: 'high-performance' });
    if (!gl) throw new Error('WebGL2 unavailable');
    this.gl = gl;
    this.program = this.buildProgram();
    this.greyLocation = gl.getUniformLocation(this.program, 'grey');
    this.uvScaleLocation = gl.getUniformLocation(this.program, 'uvScale');
    this.uvOffsetLocation = gl.getUniformLocation(this.program, 'uvOffset');
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    this.renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  }

  start(): void {
    const loop = (): void => {
      this.animation = requestAnimationFrame(loop);
      this.draw();
    };
    this.animation = requestAnimationFrame(loop);
  }

  stop(): void {
    if (this.animation !== null) cancelAnimationFrame(this.animation);
    this.animation = null;
    for (const tile of this.tiles.values()) this.freeTextures(tile);
    this.tiles.clear();
  }

  /** Canvas size in CSS pixels; the backing store follows devicePixelRatio. */
  resize(cssWidth: number, cssHeight: number): void {
    if (cssWidth === this.cssWidth && cssHeight === this.cssHeight) return;
    this.cssWidth = cssWidth;
    this.cssHeight = cssHeight;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(cssWidth * ratio));
    this.canvas.height = Math.max(1, Math.round(cssHeight * ratio));
    this.fullRedraw = true;
  }

  /**
   * Places (or moves) a tile. `viewId` is what it shows now; `nextViewId` a view of the same
   * camera being opened (another stream or size): the tile keeps drawing `viewId` until the next
   * view's first frame, so a stream switch never flashes black. A tile given a different
   * `viewId` outright (another camera) is cleared at once.
   */
  setTile(key: string, rect: TileRect, viewId: number | null, nextViewId: number | null, grey: boolean, zoom: TileZoom = NO_ZOOM): void {
    let tile = this.tiles.get(key);
    if (!tile) {
      tile = { rect, viewId, nextViewId, grey, zoom, textures: null, textureWidth: 0, textureHeight: 0, hasPicture: false, dirty: true };
      this.tiles.set(key, tile);
    }
    const moved = tile.rect.x !== rect.x || tile.rect.y !== rect.y || tile.rect.width !== rect.width || tile.rect.height !== rect.height;
    if (moved) this.fullRedraw = true;
    if (tile.viewId !== viewId) {
      tile.viewId = viewId;
      tile.hasPicture = false;
      tile.dirty = true;
    }
    tile.nextViewId = nextViewId !== viewId ? nextViewId : null;
    if (tile.grey !== grey || tile.zoom.scale !== zoom.scale || tile.zoom.centerX !== zoom.centerX || tile.zoom.centerY !== zoom.centerY) tile.dirty = true;
    tile.rect = rect;
    tile.grey = grey;
    tile.zoom = zoom;
  }

  removeTile(key: string): void {
    const tile = this.tiles.get(key);
    if (!tile) return;
    this.freeTextures(tile);
    this.tiles.delete(key);
    this.fullRedraw = true;
  }

  hasPicture(key: string): boolean {
    return this.tiles.get(key)?.hasPicture ?? false;
  }

  pushFrame(header: FrameHeader, pixels: Uint8Array): void {
    const previous = this.pending.get(header.viewId);
    // Cannot normally happen (the core waits for our ack); if it does, the newest frame wins.
    if (previous) this.onDrawn(previous.header.viewId, previous.header.seq);
    this.pending.set(header.viewId, { header, pixels });
  }

  stats(): Record<number, ViewDrawStats> {
    return Object.fromEntries(this.viewStats);
  }

  lastDrawn(viewId: number | null): ViewDrawStats | null {
    return viewId === null ? null : (this.viewStats.get(viewId) ?? null);
  }

  /** Reads the latency time code (common/timecode.ts) from every frame drawn for these views. */
  probeLatency(viewIds: number[]): void {
    this.latencyProbes.clear();
    for (const viewId of viewIds) this.latencyProbes.add(viewId);
    this.latencySamples.length = 0;
  }

  takeLatencySamples(): { viewId: number; latencyMs: number }[] {
    return this.latencySamples.splice(0);
  }

  private draw(): void {
    const gl = this.gl;
    const drawnViews: PendingFrame[] = [];
    for (const [key, tile] of this.tiles) {
      if (tile.nextViewId !== null) {
        const first = this.pending.get(tile.nextViewId);
        if (first) {
          // the next view has a picture: it replaces the current one from this frame on
          const previous = tile.viewId;
          tile.viewId = tile.nextViewId;
          tile.nextViewId = null;
          this.onPromoted(key, tile.viewId, previous);
        }
      }
      if (tile.viewId === null) continue;
      const frame = this.pending.get(tile.viewId);
      if (!frame) continue;
      this.pending.delete(tile.viewId);
      this.upload(tile, frame);
      tile.dirty = true;
      drawnViews.push(frame);
    }
    // Frames for views no tile shows any more: acknowledge so the core is not left waiting.
    for (const [viewId, frame] of this.pending) {
      this.pending.delete(viewId);
      this.onDrawn(viewId, frame.header.seq);
    }

    const ratio = this.canvas.width / Math.max(1, this.cssWidth);
    gl.useProgram(this.program);
    gl.enable(gl.SCISSOR_TEST);
    if (this.fullRedraw) {
      gl.disable(gl.SCISSOR_TEST);
      gl.viewport(0, 0, this.canvas.width, this.canvas.height);
      gl.clearColor(0.04, 0.05, 0.06, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.enable(gl.SCISSOR_TEST);
    }
    for (const tile of this.tiles.values()) {
      if (!this.fullRedraw && !tile.dirty) continue;
      tile.dirty = false;
      const x = Math.round(tile.rect.x * ratio);
      const width = Math.round(tile.rect.width * ratio);
      const height = Math.round(tile.rect.height * ratio);
      const y = this.canvas.height - Math.round(tile.rect.y * ratio) - height;
      gl.viewport(x, y, width, height);
      gl.scissor(x, y, width, height);
      if (!tile.textures || !tile.hasPicture) {
        gl.clearColor(0.07, 0.08, 0.1, 1);
        gl.clear(gl.COLOR_BUFFER_BIT);
        continue;
      }
      tile.textures.forEach((texture, index) => {
        gl.activeTexture(gl.TEXTURE0 + index);
        gl.bindTexture(gl.TEXTURE_2D, texture);
      });
      gl.uniform1f(this.greyLocation, tile.grey ? 1 : 0);
      const scale = 1 / Math.max(1, tile.zoom.scale);
      gl.uniform2f(this.uvScaleLocation, scale, scale);
      gl.uniform2f(this.uvOffsetLocation, clampOffset(tile.zoom.centerX - scale / 2, scale), clampOffset(tile.zoom.centerY - scale / 2, scale));
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    this.fullRedraw = false;

    const now = Date.now();
    for (const frame of drawnViews) {
      const stats = this.viewStats.get(frame.header.viewId) ?? { framesDrawn: 0, lastSeq: 0, lastDrawnAtMs: 0, lastDecodedAtMs: 0 };
      stats.framesDrawn += 1;
      stats.lastSeq = frame.header.seq;
      stats.lastDrawnAtMs = now;
      stats.lastDecodedAtMs = frame.header.decodedAtMs;
      this.viewStats.set(frame.header.viewId, stats);
      if (this.latencyProbes.has(frame.header.viewId) && this.latencySamples.length < 100000) {
        const code = readTimecode(frame.pixels, frame.header.width, frame.header.height);
        this.latencySamples.push({ viewId: frame.header.viewId, latencyMs: timecodeLatencyMs(code, now) });
      }
      this.onDrawn(frame.header.viewId, frame.header.seq);
    }
  }

  private upload(tile: TileState, frame: PendingFrame): void {
    const gl = this.gl;
    const { width, height } = frame.header;
    if (!tile.textures) tile.textures = [this.newTexture(), this.newTexture(), this.newTexture()];
    const resized = tile.textureWidth !== width || tile.textureHeight !== height;
    const planes: [number, number, number][] = [
      [0, width, height],
      [width * height, width >> 1, height >> 1],
      [width * height + (width >> 1) * (height >> 1), width >> 1, height >> 1],
    ];
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    planes.forEach(([offset, planeWidth, planeHeight], index) => {
      const texture = tile.textures?.[index];
      if (!texture) return;
      gl.bindTexture(gl.TEXTURE_2D, texture);
      const data = frame.pixels.subarray(offset, offset + planeWidth * planeHeight);
      if (resized) gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, planeWidth, planeHeight, 0, gl.RED, gl.UNSIGNED_BYTE, data);
      else gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, planeWidth, planeHeight, gl.RED, gl.UNSIGNED_BYTE, data);
    });
    tile.textureWidth = width;
    tile.textureHeight = height;
    tile.hasPicture = true;
  }

  private newTexture(): WebGLTexture {
    const gl = this.gl;
    const texture = gl.createTexture();
    if (!texture) throw new Error('texture allocation failed');
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return texture;
  }

  private freeTextures(tile: TileState): void {
    tile.textures?.forEach((texture) => this.gl.deleteTexture(texture));
    tile.textures = null;
  }

  private buildProgram(): WebGLProgram {
    const gl = this.gl;
    const compile = (type: number, source: string): WebGLShader => {
      const shader = gl.createShader(type);
      if (!shader) throw new Error('shader allocation failed');
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? 'shader error');
      return shader;
    };
    const program = gl.createProgram();
    if (!program) throw new Error('program allocation failed');
    gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX_SHADER));
    gl.attachShader(program, compile(gl.FRAGMENT_SHADER, FRAGMENT_SHADER));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? 'link error');
    gl.useProgram(program);
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    const position = gl.getAttribLocation(program, 'position');
    gl.enableVertexAttribArray(position);
    gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);
    ['planeY', 'planeU', 'planeV'].forEach((name, index) => gl.uniform1i(gl.getUniformLocation(program, name), index));
    return program;
  }
}
