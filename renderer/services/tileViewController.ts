import type { StreamKind } from '../../common/site';
import type { ContractError } from '../../common/result';
import type { CoreClient } from '../transport/coreClient';

/** What a tile wants to show. */
export interface DesiredView {
  liveClientId: string;
  cameraId: string;
  stream: StreamKind;
  widthPx: number;
  heightPx: number;
}

interface OpenView extends DesiredView {
  viewId: number;
}

export interface TileViews {
  /** The view the tile draws now. */
  viewId: number | null;
  /** A view of the same camera being switched to (other stream or size). */
  nextViewId: number | null;
  /** Stream of the view drawn now (or the one opening). */
  stream: StreamKind | null;
  error: ContractError | null;
}

function same(view: DesiredView | null, desired: DesiredView | null): boolean {
  return (
    view !== null &&
    desired !== null &&
    view.liveClientId === desired.liveClientId &&
    view.cameraId === desired.cameraId &&
    view.stream === desired.stream &&
    view.widthPx === desired.widthPx &&
    view.heightPx === desired.heightPx
  );
}

/**
 * Owns the live views of one tile and keeps them equal to what the tile wants, one request at a
 * time. Same camera, other stream or size: the new view opens as `next` and the old one keeps
 * drawing until the wall reports the next view's first frame (promoted()), then closes: no black
 * flash. Another camera: the old view closes at once (a wrong picture under a new name is worse
 * than a moment of "connecting").
 */
export class TileViewController {
  private current: OpenView | null = null;
  private next: OpenView | null = null;
  private desired: DesiredView | null = null;
  private error: ContractError | null = null;
  private busy = false;
  private again = false;
  private disposed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: CoreClient,
    private readonly onChange: (views: TileViews) => void,
  ) {}

  /** A view is open or opening (a first view is asked for at once, later changes debounced). */
  get hasView(): boolean {
    return this.current !== null || this.next !== null || this.busy;
  }

  update(desired: DesiredView | null): void {
    if (this.disposed) return;
    this.desired = desired;
    void this.reconcile();
  }

  /** The wall drew the first frame of `viewId`. */
  promoted(viewId: number): void {
    if (this.next?.viewId !== viewId) return;
    const previous = this.current;
    this.current = this.next;
    this.next = null;
    this.close(previous);
    this.emit();
  }

  dispose(): void {
    this.disposed = true;
    this.desired = null;
    if (this.retryTimer !== null) globalThis.clearTimeout(this.retryTimer);
    this.close(this.current);
    this.close(this.next);
    this.current = null;
    this.next = null;
  }

  private async reconcile(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.disposed);
    } finally {
      this.busy = false;
    }
  }

  private async step(): Promise<void> {
    const desired = this.desired;
    if (!desired) {
      this.close(this.current);
      this.close(this.next);
      this.current = null;
      this.next = null;
      this.error = null;
      this.emit();
      return;
    }
    if (same(this.current, desired)) {
      if (this.next) {
        this.close(this.next);
        this.next = null;
        this.emit();
      }
      return;
    }
    if (same(this.next, desired)) return;
    const result = await this.client.call('openLive', desired);
    if (this.disposed) {
      if (result.ok) this.close({ ...desired, viewId: result.value.viewId });
      return;
    }
    if (!result.ok) {
      this.error = result.error;
      this.emit();
      // the socket may have just been replaced, or the core restarted: try again shortly
      this.retryTimer = globalThis.setTimeout(() => {
        this.retryTimer = null;
        void this.reconcile();
      }, 3000);
      return;
    }
    this.error = null;
    const opened: OpenView = { ...desired, viewId: result.value.viewId };
    if (!same(this.desired, desired)) {
      this.close(opened);
      this.again = true;
      return;
    }
    if (this.current && this.current.cameraId === desired.cameraId && this.current.liveClientId === desired.liveClientId) {
      this.close(this.next);
      this.next = opened;
    } else {
      this.close(this.current);
      this.close(this.next);
      this.current = opened;
      this.next = null;
    }
    this.emit();
  }

  private close(view: OpenView | null): void {
    if (view) void this.client.call('closeLive', { viewId: view.viewId });
  }

  private emit(): void {
    this.onChange({
      viewId: this.current?.viewId ?? null,
      nextViewId: this.next?.viewId ?? null,
      stream: this.current?.stream ?? this.next?.stream ?? null,
      error: this.error,
    });
  }
}
