import { describe, expect, it } from 'vitest';
import type { PlaybackControl, PlaybackState } from '../../common/playbackContract';
import { fail, ok, type ContractError } from '../../common/result';
import { DEFAULT_INSTANT_REPLAY_SECONDS, SiteSchema, type Site } from '../../common/site';
import { SiteSummarySchema } from '../../common/contract';
import { translate } from '../../common/i18n';
import { createHandlers, type HandlerContext } from '../../main/core/api/handlers';
import { NO_CALL_CONTEXT, type Principal } from '../../main/core/api/dispatch';
import type { CoreClient } from '../../renderer/transport/coreClient';
import { keepsSession, PlaybackSessionLink, type TileWish } from '../../renderer/playback/usePlaybackSession';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longer than the link's wait before it opens a session (the tiles settling). */
const OPENED = 250;

/**
 * A small model of the core's playback sessions: one clock each (paused), a gap it may have
 * skipped; openPlayback answers can be held back (a session opening while the officer clicks).
 */
function fakeCore() {
  interface Session {
    state: PlaybackState;
  }
  const sessions = new Map<string, Session>();
  const log: string[] = [];
  let next = 1;
  let holdOpens = false;
  const held: (() => void)[] = [];
  const client = {
    host: 'browser',
    call(method: string, params: Record<string, unknown>) {
      if (method === 'openPlayback') {
        const tiles = params.tiles as TileWish[];
        const sessionId = `s${next++}`;
        const state: PlaybackState = {
          sessionId,
          liveClientId: params.liveClientId as string,
          positionMs: params.atMs as number,
          playing: params.play as boolean,
          speed: params.speed as number,
          skippedGap: null,
          ended: false,
          tiles: tiles.map((tile, index) => ({ cameraId: tile.cameraId, stream: 'main', viewId: index + 1, state: 'playing', frameMs: null })),
          revision: 1,
        };
        log.push(`open ${sessionId} ${tiles.map((tile) => `${tile.cameraId}@${tile.widthPx}x${tile.heightPx}`).join(',')} at ${state.positionMs}${state.playing ? ' playing' : ''}`);
        const answer = (): Promise<unknown> => {
          sessions.set(sessionId, { state });
          return Promise.resolve(ok({ ...state }));
        };
        if (!holdOpens) return answer();
        return new Promise((resolve) => held.push(() => resolve(answer())));
      }
      const session = sessions.get(params.sessionId as string);
      if (method === 'closePlayback') {
        log.push(`close ${params.sessionId as string}`);
        sessions.delete(params.sessionId as string);
        return Promise.resolve(session ? ok(null) : fail('notFound', 'no session'));
      }
      if (method === 'controlPlayback') {
        const control = params.control as PlaybackControl;
        log.push(`${control.action}${control.action === 'seek' ? ` ${control.atMs}` : ''} ${params.sessionId as string}${session ? '' : ' (closed)'}`);
        if (!session) return Promise.resolve(fail('notFound', 'no session'));
        const state = session.state;
        if (control.action === 'seek') Object.assign(state, { positionMs: control.atMs, skippedGap: null });
        if (control.action === 'play' || control.action === 'pause') state.playing = control.action === 'play';
        state.revision += 1;
        return Promise.resolve(ok({ ...state }));
      }
      return Promise.resolve(fail('badRequest', method));
    },
    onEvent: () => () => undefined,
  } as unknown as CoreClient;
  return {
    client,
    log,
    sessions,
    hold(value: boolean) {
      holdOpens = value;
    },
    release() {
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

function link(core: ReturnType<typeof fakeCore>, atMs = 1_000_000) {
  const states: PlaybackState[] = [];
  const errors: (ContractError | null)[] = [];
  const session = new PlaybackSessionLink(core.client, (state) => states.push(state), (error) => errors.push(error), atMs, false);
  return { session, states, errors, last: () => states.at(-1)! };
}

const wall = (cameraIds: string[], widthPx: number, heightPx: number): TileWish[] => cameraIds.map((cameraId) => ({ cameraId, widthPx, heightPx }));

describe('playback session of the page (PlaybackSessionLink)', () => {
  it('keeps the session for a tile resized a little, not for other cameras or a new layout', () => {
    const opened = wall(['cam-3'], 1152, 706);
    // the controls bar wrapping onto a second line when the "gap skipped" note appears
    expect(keepsSession(opened, wall(['cam-3'], 1152, 674))).toBe(true);
    expect(keepsSession(opened, wall(['cam-3'], 1152, 600))).toBe(false);
    expect(keepsSession(opened, wall(['cam-3'], 574, 352))).toBe(false);
    expect(keepsSession(opened, wall(['cam-1'], 1152, 706))).toBe(false);
    expect(keepsSession(opened, wall(['cam-3', 'cam-1'], 1152, 706))).toBe(false);
  });

  it('a wall that shrinks a little when the gap note appears keeps its session and the gap it skipped', async () => {
    const core = fakeCore();
    const { session, last } = link(core);
    session.setTiles('client-1', wall(['cam-3'], 1152, 706));
    await sleep(OPENED);
    expect(core.log).toEqual(['open s1 cam-3@1152x706 at 1000000']);
    // the core skipped a gap and said so
    const skipped = { ...core.sessions.get('s1')!.state, skippedGap: { startMs: 1_000_500, endMs: 1_016_000 }, positionMs: 1_016_000, revision: 5 };
    session.accept(skipped);
    session.setTiles('client-1', wall(['cam-3'], 1152, 674));
    await sleep(OPENED);
    session.setTiles('client-1', wall(['cam-3'], 1152, 706));
    await sleep(OPENED);
    expect(core.log).toEqual(['open s1 cam-3@1152x706 at 1000000']);
    expect(last().skippedGap).toEqual({ startMs: 1_000_500, endMs: 1_016_000 });
    // a real change of layout reopens at the same place
    session.setTiles('client-1', wall(['cam-3', 'cam-4'], 574, 352));
    await sleep(OPENED);
    expect(core.log.slice(1)).toEqual(['close s1', 'open s2 cam-3@574x352,cam-4@574x352 at 1016000']);
    session.close();
    expect(core.log.at(-1)).toBe('close s2');
  });

  it('a seek and a play asked while the session is being reopened go to the new session', async () => {
    const core = fakeCore();
    const { session, last } = link(core);
    session.setTiles('client-1', wall(['cam-1', 'cam-3'], 574, 352));
    await sleep(OPENED);
    // cameras unticked: a new session opens; its answer is slow (a loaded core)
    core.hold(true);
    session.setTiles('client-1', wall(['cam-3'], 1152, 706));
    await sleep(OPENED);
    const asked = [session.control({ action: 'seek', atMs: 2_000_000 }), session.control({ action: 'play' })];
    await sleep(20);
    core.release();
    await Promise.all(asked);
    expect(core.log).toEqual(['open s1 cam-1@574x352,cam-3@574x352 at 1000000', 'close s1', 'open s2 cam-3@1152x706 at 1000000', 'seek 2000000 s2', 'play s2']);
    expect(last()).toMatchObject({ sessionId: 's2', positionMs: 2_000_000, playing: true });
  });

  it('a control sent to a session that is closed meanwhile is asked again of the new one', async () => {
    const core = fakeCore();
    const { session, last, errors } = link(core);
    session.setTiles('client-1', wall(['cam-1', 'cam-3'], 574, 352));
    await sleep(OPENED);
    const seeking = session.control({ action: 'seek', atMs: 3_000_000 });
    // the tiles change before the seek's answer came back
    session.setTiles('client-1', wall(['cam-3'], 1152, 706));
    await seeking;
    expect(core.log.filter((line) => line.startsWith('seek'))).toEqual(['seek 3000000 s1', 'seek 3000000 s2']);
    expect(last()).toMatchObject({ sessionId: 's2', positionMs: 3_000_000 });
    expect(errors.filter((error) => error !== null)).toEqual([]);
  });

  it('before any tile, a seek is where the first session opens', async () => {
    const core = fakeCore();
    const { session, last } = link(core);
    await session.control({ action: 'seek', atMs: 5_000_000 });
    session.request(6_000_000, true);
    session.setTiles('client-1', wall(['cam-2'], 640, 360));
    await sleep(OPENED);
    expect(core.log).toEqual(['open s1 cam-2@640x360 at 6000000 playing']);
    expect(last()).toMatchObject({ positionMs: 6_000_000, playing: true });
  });
});

describe('instant replay length (site setting playback.instantReplaySeconds)', () => {
  const site = (playback?: unknown) => ({ schemaVersion: 1, name: 'Đông Khê', cameras: [], ...(playback === undefined ? {} : { playback }) });
  it('is 30 s unless the site says otherwise, whole seconds from 5 to 600', () => {
    expect(DEFAULT_INSTANT_REPLAY_SECONDS).toBe(30);
    expect(SiteSchema.parse(site()).playback?.instantReplaySeconds).toBeUndefined();
    expect(SiteSchema.parse(site({})).playback?.instantReplaySeconds).toBeUndefined();
    for (const seconds of [5, 20, 600]) expect(SiteSchema.parse(site({ instantReplaySeconds: seconds })).playback?.instantReplaySeconds).toBe(seconds);
    for (const seconds of [4, 601, 12.5, '30']) expect(SiteSchema.safeParse(site({ instantReplaySeconds: seconds })).success, String(seconds)).toBe(false);
    expect(SiteSchema.safeParse(site({ instantReplay: 30 })).success).toBe(false);
  });

  it('reaches the page with the site (getSite), the default when the site says nothing', async () => {
    const siteSummary = async (site: Site) => {
      // (getSite reads the site file only)
      const result = await createHandlers({ site, isDemo: false } as unknown as HandlerContext).getSite({}, {} as Principal, NO_CALL_CONTEXT);
      if (!result.ok) throw new Error(result.error.message);
      return SiteSummarySchema.parse(result.value);
    };
    expect((await siteSummary(SiteSchema.parse(site()))).instantReplaySeconds).toBe(30);
    expect((await siteSummary(SiteSchema.parse(site({ instantReplaySeconds: 45 })))).instantReplaySeconds).toBe(45);
  });

  it('the button says how far back it goes, in both languages', () => {
    expect(translate('vi', 'playback.instantReplay', { seconds: 45 })).toBe('Xem lại 45 giây vừa qua');
    expect(translate('en', 'playback.instantReplay', { seconds: 45 })).toBe('Replay the last 45 seconds');
    expect(translate('vi', 'playback.instantReplayShort', { seconds: 45 })).toBe('45s');
  });
});
