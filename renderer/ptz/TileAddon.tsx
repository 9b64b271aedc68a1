import { useCallback, useEffect, useMemo, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceProblemInfo, Neighbour } from '../../common/ptzContract';
import type { TileAddonProps } from '../featureTypes';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { usePtz } from './store';
import { combine, gamepadVelocity, KEY_VELOCITY, PtzHold, type Velocity } from './hold';

const DIRECTIONS: { key: string; label: string; velocity: Velocity; arrow: string }[] = [
  { key: 'upLeft', label: 'ptz.pad.upLeft', velocity: { pan: -1, tilt: 1, zoom: 0 }, arrow: '↖' },
  { key: 'up', label: 'ptz.pad.up', velocity: { pan: 0, tilt: 1, zoom: 0 }, arrow: '↑' },
  { key: 'upRight', label: 'ptz.pad.upRight', velocity: { pan: 1, tilt: 1, zoom: 0 }, arrow: '↗' },
  { key: 'left', label: 'ptz.pad.left', velocity: { pan: -1, tilt: 0, zoom: 0 }, arrow: '←' },
  { key: 'right', label: 'ptz.pad.right', velocity: { pan: 1, tilt: 0, zoom: 0 }, arrow: '→' },
  { key: 'downLeft', label: 'ptz.pad.downLeft', velocity: { pan: -1, tilt: -1, zoom: 0 }, arrow: '↙' },
  { key: 'down', label: 'ptz.pad.down', velocity: { pan: 0, tilt: -1, zoom: 0 }, arrow: '↓' },
  { key: 'downRight', label: 'ptz.pad.downRight', velocity: { pan: 1, tilt: -1, zoom: 0 }, arrow: '↘' },
];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
}

/** Stops pointer and click events from reaching the tile (its drag pans the digital zoom). */
const swallow = {
  onPointerDown: (event: ReactPointerEvent) => event.stopPropagation(),
  onClick: (event: React.MouseEvent) => event.stopPropagation(),
  onDoubleClick: (event: React.MouseEvent) => event.stopPropagation(),
  onWheel: (event: React.WheelEvent) => event.stopPropagation(),
};

/** Drawn over a camera tile of the wall (see wall/TileAddons.tsx): the PTZ pad and follow mode. */
export function PtzTileAddon(props: TileAddonProps) {
  const anyMaximized = useConsole((state) => state.wall.maximized !== null);
  const followMode = usePtz((state) => state.followMode);
  const active = props.maximized || (props.selected && !anyMaximized);
  return (
    <>
      {props.camera.ptz && active && props.width >= 220 && props.height >= 160 && <PtzPad {...props} />}
      {followMode && props.maximized && <FollowStrip index={props.index} cameraId={props.camera.id} />}
    </>
  );
}

function PtzPad({ camera, width }: TileAddonProps) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const cameraId = camera.id;
  const liveClientId = useConsole((state) => state.liveClientId);
  const capabilities = usePtz((state) => state.capabilities[cameraId]);
  const holder = usePtz((state) => state.holders[cameraId] ?? capabilities?.holder ?? null);
  const speed = usePtz((state) => state.speed);
  const followMode = usePtz((state) => state.followMode);
  const [problem, setProblem] = useState<DeviceProblemInfo | null>(null);
  const [showPresets, setShowPresets] = useState(false);
  const hold = useMemo(
    () =>
      new PtzHold(
        client,
        cameraId,
        () => useConsole.getState().liveClientId,
        () => t('ptz.pad.windowName', { id: (useConsole.getState().liveClientId ?? '????').slice(0, 4) }),
        () => usePtz.getState().speed,
        (found) => setProblem(found),
      ),
    [client, cameraId, t],
  );

  // capabilities, and the holder/alert events of this camera
  useEffect(() => {
    let cancelled = false;
    void client.call('ptzGetCapabilities', { cameraId }).then((result) => {
      if (cancelled || !result.ok) return;
      usePtz.getState().setCapabilities(cameraId, result.value.capabilities);
      setProblem(result.value.problem);
    });
    const off = client.onEvent((envelope) => {
      if (envelope.event === 'ptzHolder' && envelope.payload.cameraId === cameraId) usePtz.getState().setHolder(cameraId, envelope.payload.holder);
      if (envelope.event === 'ptzAlert' && envelope.payload.cameraId === cameraId) {
        useConsole.getState().toast('error', t(`ptz.alerts.${envelope.payload.kind}`, { name: camera.name }));
      }
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [client, cameraId, camera.name, t]);

  // stop safety in the page: release, blur, hidden tab, unmount
  useEffect(() => {
    const stop = (): void => hold.stop();
    const onVisibility = (): void => {
      if (document.visibilityState !== 'visible') hold.stop();
    };
    window.addEventListener('blur', stop);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('blur', stop);
      document.removeEventListener('visibilitychange', onVisibility);
      hold.dispose();
    };
  }, [hold]);

  // keyboard: arrows and +/− while held; 1–9 go to presets
  useEffect(() => {
    const pressed = new Set<string>();
    const onDown = (event: KeyboardEvent): void => {
      if (isTyping(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
      if (KEY_VELOCITY[event.key]) {
        event.preventDefault();
        if (event.repeat && pressed.has(event.key)) return;
        pressed.add(event.key);
        hold.set(combine(pressed));
        return;
      }
      if (/^[1-9]$/.test(event.key) && !event.shiftKey) {
        const preset = usePtz.getState().presets[cameraId]?.[Number(event.key) - 1];
        const id = useConsole.getState().liveClientId;
        if (preset && id) void client.call('ptzGotoPreset', { cameraId, liveClientId: id, token: preset.token });
        else if (id) {
          // presets not loaded yet: load them, then go
          void client.call('ptzListPresets', { cameraId }).then((result) => {
            if (!result.ok) return;
            usePtz.getState().setPresets(cameraId, result.value.presets);
            const found = result.value.presets[Number(event.key) - 1];
            if (found) void client.call('ptzGotoPreset', { cameraId, liveClientId: id, token: found.token });
          });
        }
      }
    };
    const onUp = (event: KeyboardEvent): void => {
      if (!pressed.delete(event.key)) return;
      hold.set(combine(pressed));
    };
    const onBlur = (): void => pressed.clear();
    window.addEventListener('keydown', onDown);
    window.addEventListener('keyup', onUp);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onDown);
      window.removeEventListener('keyup', onUp);
      window.removeEventListener('blur', onBlur);
    };
  }, [hold, client, cameraId]);

  // a USB joystick or gamepad (Gamepad API), polled while the pad is shown
  useEffect(() => {
    if (typeof navigator.getGamepads !== 'function') return;
    let frame = 0;
    let wasMoving = false;
    const poll = (): void => {
      const pad = [...navigator.getGamepads()].find((entry) => entry !== null);
      if (pad) {
        const velocity = gamepadVelocity(pad.axes, pad.buttons);
        const moving = velocity.pan !== 0 || velocity.tilt !== 0 || velocity.zoom !== 0;
        if (moving) hold.set(velocity);
        else if (wasMoving) hold.stop();
        wasMoving = moving;
      }
      frame = window.requestAnimationFrame(poll);
    };
    frame = window.requestAnimationFrame(poll);
    return () => window.cancelAnimationFrame(frame);
  }, [hold]);

  const press = (velocity: Velocity) => ({
    onPointerDown: (event: ReactPointerEvent<HTMLButtonElement>) => {
      event.stopPropagation();
      event.currentTarget.setPointerCapture?.(event.pointerId);
      hold.set(velocity);
    },
    onPointerUp: () => hold.stop(),
    onPointerCancel: () => hold.stop(),
    onLostPointerCapture: () => hold.stop(),
    onContextMenu: (event: React.MouseEvent) => event.preventDefault(),
  });

  const heldByOther = holder !== null && holder.liveClientId !== liveClientId;
  const canPanTilt = capabilities ? capabilities.pan || capabilities.tilt : false;
  const canZoom = capabilities?.zoom ?? false;
  const offsetS = capabilities?.clockOffsetMs ? Math.round(capabilities.clockOffsetMs / 1000) : 0;

  return (
    <div className={`ptz-pad${width < 420 ? ' ptz-pad-compact' : ''}`} data-testid="ptz-pad" data-camera-id={cameraId} role="group" aria-label={t('ptz.pad.label')} {...swallow}>
      {!capabilities && !problem && <div className="ptz-note">{t('ptz.pad.loading')}</div>}
      {problem && <div className="ptz-note ptz-note-bad" data-testid="ptz-problem">{t(`ptz.problems.${problem.code}`)}</div>}
      {heldByOther && <div className="ptz-note ptz-note-warn" data-testid="ptz-holder">{t('ptz.pad.heldBy', { name: holder.name || '?' })}</div>}
      {Math.abs(offsetS) >= 5 && <div className="ptz-note ptz-note-warn">{t('ptz.pad.clockOffset', { seconds: offsetS })}</div>}
      {capabilities && (
        <div className="ptz-controls">
          {canPanTilt && (
            <div className="ptz-grid">
              {DIRECTIONS.slice(0, 4).map((direction) => (
                <button key={direction.key} type="button" className="ptz-button" data-ptz={direction.key} title={t(direction.label)} aria-label={t(direction.label)} disabled={heldByOther} {...press(direction.velocity)}>
                  {direction.arrow}
                </button>
              ))}
              <span className="ptz-center" aria-hidden="true" />
              {DIRECTIONS.slice(4).map((direction) => (
                <button key={direction.key} type="button" className="ptz-button" data-ptz={direction.key} title={t(direction.label)} aria-label={t(direction.label)} disabled={heldByOther} {...press(direction.velocity)}>
                  {direction.arrow}
                </button>
              ))}
            </div>
          )}
          <div className="ptz-side">
            {canZoom && (
              <>
                <button type="button" className="ptz-button" data-ptz="zoomIn" title={t('ptz.pad.zoomIn')} aria-label={t('ptz.pad.zoomIn')} disabled={heldByOther} {...press({ pan: 0, tilt: 0, zoom: 1 })}>
                  +
                </button>
                <button type="button" className="ptz-button" data-ptz="zoomOut" title={t('ptz.pad.zoomOut')} aria-label={t('ptz.pad.zoomOut')} disabled={heldByOther} {...press({ pan: 0, tilt: 0, zoom: -1 })}>
                  −
                </button>
              </>
            )}
            <label className="ptz-speed" title={t('ptz.pad.speed')}>
              <span>{t('ptz.pad.speed')}</span>
              <input type="range" min={0.1} max={1} step={0.1} value={speed} aria-label={t('ptz.pad.speed')} onChange={(event) => usePtz.getState().setSpeed(Number(event.target.value))} />
            </label>
            <button type="button" className="ptz-text-button" data-action="ptz-presets" aria-expanded={showPresets} onClick={() => setShowPresets(!showPresets)}>
              {t('ptz.pad.presets')}
            </button>
            <button
              type="button"
              className={`ptz-text-button${followMode ? ' ptz-text-button-on' : ''}`}
              data-action="ptz-follow"
              aria-pressed={followMode}
              onClick={() => {
                const next = !followMode;
                usePtz.getState().setFollowMode(next);
                const state = useConsole.getState();
                const index = state.wall.tiles.findIndex((id) => id === cameraId);
                if (next && state.wall.maximized === null && index >= 0) state.toggleMaximized(index);
              }}
            >
              {followMode ? t('ptz.pad.followOff') : t('ptz.pad.follow')}
            </button>
          </div>
        </div>
      )}
      {showPresets && capabilities && <PresetPanel cameraId={cameraId} disabled={heldByOther} onProblem={setProblem} />}
      {width >= 700 && capabilities && <div className="ptz-hint">{t('ptz.pad.hint')}</div>}
    </div>
  );
}

function PresetPanel({ cameraId, disabled, onProblem }: { cameraId: string; disabled: boolean; onProblem: (problem: DeviceProblemInfo | null) => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const liveClientId = useConsole((state) => state.liveClientId);
  const presets = usePtz((state) => state.presets[cameraId]);
  const [editing, setEditing] = useState<{ token: string | null; name: string } | null>(null);

  const reload = useCallback(() => {
    void client.call('ptzListPresets', { cameraId }).then((result) => {
      if (!result.ok) return;
      usePtz.getState().setPresets(cameraId, result.value.presets);
      if (result.value.problem) onProblem(result.value.problem);
    });
  }, [client, cameraId, onProblem]);
  useEffect(reload, [reload]);

  const run = (promise: Promise<{ ok: boolean; value?: { problem: DeviceProblemInfo | null } }>, thenReload = false): void => {
    void promise.then((result) => {
      if (result.ok && result.value?.problem) onProblem(result.value.problem);
      if (thenReload) reload();
    });
  };
  if (!liveClientId) return null;
  const held = { cameraId, liveClientId };
  return (
    <div className="ptz-presets" data-testid="ptz-presets">
      <div className="ptz-presets-row">
        <button type="button" className="ptz-text-button" disabled={disabled} onClick={() => run(client.call('ptzGotoHome', held))}>
          {t('ptz.pad.home')}
        </button>
        <button type="button" className="ptz-text-button" disabled={disabled} data-action="ptz-save-preset" onClick={() => setEditing({ token: null, name: '' })}>
          {t('ptz.pad.savePreset')}
        </button>
      </div>
      {editing && (
        <form
          className="ptz-presets-row"
          onSubmit={(event) => {
            event.preventDefault();
            if (!editing.name.trim()) return;
            run(client.call('ptzSavePreset', { ...held, name: editing.name.trim(), token: editing.token }), true);
            setEditing(null);
          }}
        >
          <input className="ptz-input" autoFocus value={editing.name} maxLength={64} placeholder={t('ptz.pad.presetName')} aria-label={t('ptz.pad.presetName')} onChange={(event) => setEditing({ ...editing, name: event.target.value })} />
          <button type="submit" className="ptz-text-button">
            {t('ptz.pad.save')}
          </button>
          <button type="button" className="ptz-text-button" onClick={() => setEditing(null)}>
            {t('ptz.pad.cancel')}
          </button>
        </form>
      )}
      {presets && presets.length === 0 && <div className="ptz-note">{t('ptz.pad.noPresets')}</div>}
      <ol className="ptz-preset-list">
        {(presets ?? []).map((preset, index) => (
          <li key={preset.token} data-preset-token={preset.token}>
            <button type="button" className="ptz-preset-go" disabled={disabled} title={t('ptz.pad.goto')} onClick={() => run(client.call('ptzGotoPreset', { ...held, token: preset.token }))}>
              <span className="ptz-preset-key">{index < 9 ? index + 1 : ''}</span> {preset.name}
            </button>
            <button type="button" className="ptz-text-button" disabled={disabled} onClick={() => setEditing({ token: preset.token, name: preset.name })}>
              {t('ptz.pad.rename')}
            </button>
            <button type="button" className="ptz-text-button" disabled={disabled} onClick={() => run(client.call('ptzRemovePreset', { ...held, token: preset.token }), true)}>
              {t('ptz.pad.remove')}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Follow mode: the neighbours of the big tile's camera; N (or a click) hands the tile over. */
function FollowStrip({ index, cameraId }: { index: number; cameraId: string }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [neighbours, setNeighbours] = useState<Neighbour[] | null>(null);

  useEffect(() => {
    let cancelled = false;
    void client.call('followNeighbours', { cameraId }).then((result) => {
      if (!cancelled) setNeighbours(result.ok ? result.value.neighbours : []);
    });
    return () => {
      cancelled = true;
    };
  }, [client, cameraId]);

  const handOver = useCallback((neighbour: Neighbour | undefined) => {
    if (neighbour) useConsole.getState().assign(index, neighbour.cameraId);
  }, [index]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isTyping(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key === 'n' || event.key === 'N') handOver(neighbours?.find((entry) => entry.ahead) ?? neighbours?.[0]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [neighbours, handOver]);

  if (!neighbours) return null;
  const first = neighbours.find((entry) => entry.ahead) ?? neighbours[0];
  return (
    <div className="ptz-follow" data-testid="follow-strip" role="group" aria-label={t('ptz.follow.strip')} {...swallow}>
      <span className="ptz-follow-title">{t('ptz.follow.strip')}</span>
      {neighbours.length === 0 && <span className="ptz-note">{t('ptz.follow.none')}</span>}
      {neighbours.map((neighbour) => (
        <button
          key={neighbour.cameraId}
          type="button"
          className={`ptz-follow-camera${neighbour === first ? ' ptz-follow-first' : ''}`}
          data-neighbour-id={neighbour.cameraId}
          title={t('ptz.follow.handOver', { name: neighbour.name, key: neighbour === first ? 'N' : '—' })}
          onClick={() => handOver(neighbour)}
        >
          <span className="ptz-follow-arrow" style={{ transform: `rotate(${neighbour.bearingDeg}deg)` }} aria-hidden="true">
            ↑
          </span>
          <span className="ptz-follow-name">{neighbour.name}</span>
          <span className="ptz-follow-meta">
            {t('ptz.follow.distance', { meters: neighbour.distanceM })} · {neighbour.ahead ? t('ptz.follow.ahead') : t('ptz.follow.behind')}
            {neighbour === first ? ' · N' : ''}
          </span>
        </button>
      ))}
    </div>
  );
}
