import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceEntry, DeviceProblemInfo, DiscoveredDeviceInfo, NvrVendor, OnvifProbe } from '../../common/ptzContract';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { SystemPanel } from '../components/SystemPanel';

function Problem({ problem }: { problem: DeviceProblemInfo | null }) {
  const { t } = useTranslation();
  if (!problem) return null;
  return (
    <p className="ptz-problem" role="alert" data-testid="device-problem" data-code={problem.code}>
      {t(`ptz.problems.${problem.code}`)}
    </p>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

function useAdded(): (count: number) => void {
  const { t } = useTranslation();
  return (count) => useConsole.getState().toast('info', t('ptz.devices.added', { count }));
}

/** The devices page (Thiết bị): scan, add an ONVIF camera, add by RTSP URL, import an NVR. */
export function DevicesPage() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [devices, setDevices] = useState<DeviceEntry[]>([]);
  const [siteWritable, setSiteWritable] = useState(true);
  const [onvifAddress, setOnvifAddress] = useState('');

  const reload = useCallback(() => {
    void client.call('devicesList', {}).then((result) => {
      if (!result.ok) return;
      setDevices(result.value.devices);
      setSiteWritable(result.value.siteWritable);
    });
  }, [client]);
  useEffect(() => {
    reload();
    return client.onEvent((envelope) => {
      if (envelope.event === 'camerasChanged') reload();
    });
  }, [client, reload]);

  return (
    <div className="page ptz-devices" data-testid="devices-page">
      <h1>{t('ptz.devices.title')}</h1>
      {!siteWritable && <p className="ptz-note ptz-note-warn">{t('ptz.devices.notSaved')}</p>}
      <div className="ptz-device-grid">
        <ScanSection onUse={setOnvifAddress} />
        <OnvifSection address={onvifAddress} setAddress={setOnvifAddress} />
        <RtspSection />
        <NvrSection />
      </div>
      <h2>{t('ptz.devices.list', { count: devices.length })}</h2>
      <table className="table" data-testid="device-list">
        <thead>
          <tr>
            <th>{t('ptz.devices.name')}</th>
            <th>{t('ptz.devices.kind')}</th>
            <th>{t('ptz.devices.hostColumn')}</th>
            <th>PTZ</th>
            <th>{t('ptz.devices.credentials')}</th>
            <th>{t('ptz.devices.clock')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.cameraId} data-camera-id={device.cameraId}>
              <td>{device.name}</td>
              <td>{device.kind === 'onvif' ? 'ONVIF' : 'RTSP'}</td>
              <td>{device.host}</td>
              <td>{device.ptz ? t('ptz.devices.yes') : t('ptz.devices.no')}</td>
              <td>{device.hasCredentials ? t('ptz.devices.yes') : t('ptz.devices.no')}</td>
              <td className={device.clockOffsetMs !== null && Math.abs(device.clockOffsetMs) >= 5000 ? 'ptz-bad-clock' : ''}>
                {device.clockOffsetMs === null ? '—' : `${Math.round(device.clockOffsetMs / 1000)} s`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SystemPanel />
    </div>
  );
}

function ScanSection({ onUse }: { onUse: (address: string) => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [targets, setTargets] = useState('');
  const [busy, setBusy] = useState(false);
  const [found, setFound] = useState<DiscoveredDeviceInfo[] | null>(null);
  const scan = (): void => {
    setBusy(true);
    const list = targets
      .split(/[,\s]+/)
      .map((entry) => entry.trim())
      .filter(Boolean)
      .slice(0, 16);
    void client.call('devicesScan', { targets: list }).then((result) => {
      setBusy(false);
      setFound(result.ok ? result.value.devices : []);
    });
  };
  return (
    <section className="card ptz-card" data-testid="scan-section">
      <h2>{t('ptz.devices.scan')}</h2>
      <Field label={t('ptz.devices.scanTargets')}>
        <input value={targets} onChange={(event) => setTargets(event.target.value)} placeholder="192.168.1.64" data-field="scan-targets" />
      </Field>
      <button type="button" className="tool" disabled={busy} onClick={scan} data-action="scan">
        {busy ? t('ptz.devices.scanning') : t('ptz.devices.scan')}
      </button>
      {found && found.length === 0 && <p className="muted">{t('ptz.devices.scanNone')}</p>}
      {found && found.length > 0 && (
        <>
          <p className="muted">{t('ptz.devices.found', { count: found.length })}</p>
          <ul className="ptz-found" data-testid="scan-results">
            {found.map((device) => (
              <li key={device.address} data-address={device.address}>
                <div>
                  <strong>{device.name ?? device.host}</strong>
                  <div className="muted">
                    {[device.manufacturer, device.model].filter(Boolean).join(' ')} · {device.host}
                  </div>
                </div>
                {device.alreadyAdded ? (
                  <span className="muted">{t('ptz.devices.alreadyAdded')}</span>
                ) : (
                  <button type="button" className="tool" onClick={() => onUse(device.host)}>
                    {t('ptz.devices.use')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function OnvifSection({ address, setAddress }: { address: string; setAddress: (address: string) => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const added = useAdded();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [village, setVillage] = useState('');
  const [busy, setBusy] = useState<'probe' | 'add' | null>(null);
  const [probe, setProbe] = useState<OnvifProbe | null>(null);
  const [problem, setProblem] = useState<DeviceProblemInfo | null>(null);
  const [missing, setMissing] = useState<string | null>(null);

  const check = (): void => {
    if (!address.trim()) return setMissing(t('ptz.devices.address'));
    setMissing(null);
    setBusy('probe');
    setProblem(null);
    setProbe(null);
    void client.call('devicesProbeOnvif', { address, username, password }).then((result) => {
      setBusy(null);
      if (!result.ok) return;
      setProbe(result.value.device);
      setProblem(result.value.problem);
      if (result.value.device && !name) setName([result.value.device.manufacturer, result.value.device.model].filter(Boolean).join(' '));
    });
  };
  const add = (event: FormEvent): void => {
    event.preventDefault();
    if (!address.trim()) return setMissing(t('ptz.devices.address'));
    if (!name.trim()) return setMissing(t('ptz.devices.name'));
    setMissing(null);
    setBusy('add');
    setProblem(null);
    void client.call('devicesAddOnvif', { address, username, password, name, ...(village.trim() ? { village } : {}) }).then((result) => {
      setBusy(null);
      if (!result.ok) return;
      setProblem(result.value.problem);
      if (result.value.cameraIds.length > 0) {
        added(result.value.cameraIds.length);
        setProbe(null);
        setPassword('');
      }
    });
  };
  const skewS = probe ? Math.round(probe.clockOffsetMs / 1000) : 0;
  return (
    <section className="card ptz-card" data-testid="onvif-section">
      <h2>{t('ptz.devices.onvif')}</h2>
      <form onSubmit={add}>
        <Field label={t('ptz.devices.address')}>
          <input value={address} onChange={(event) => setAddress(event.target.value)} placeholder="192.168.1.64" data-field="onvif-address" />
        </Field>
        <div className="ptz-row">
          <Field label={t('ptz.devices.username')}>
            <input value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" data-field="onvif-username" />
          </Field>
          <Field label={t('ptz.devices.password')}>
            <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" data-field="onvif-password" />
          </Field>
        </div>
        <div className="ptz-row">
          <Field label={t('ptz.devices.name')}>
            <input value={name} onChange={(event) => setName(event.target.value)} data-field="onvif-name" />
          </Field>
          <Field label={t('ptz.devices.village')}>
            <input value={village} onChange={(event) => setVillage(event.target.value)} />
          </Field>
        </div>
        {missing && <p className="field-error">{t('ptz.devices.required', { field: missing })}</p>}
        <div className="ptz-row">
          <button type="button" className="tool" disabled={busy !== null} onClick={check} data-action="onvif-probe">
            {busy === 'probe' ? t('ptz.devices.probing') : t('ptz.devices.probe')}
          </button>
          <button type="submit" className="tool tool-active" disabled={busy !== null} data-action="onvif-add">
            {busy === 'add' ? t('ptz.devices.adding') : t('ptz.devices.add')}
          </button>
        </div>
      </form>
      <Problem problem={problem} />
      {probe && (
        <div className="ptz-probe" data-testid="onvif-probe-result">
          <p>
            {t('ptz.devices.probeResult', { manufacturer: probe.manufacturer, model: probe.model, profiles: probe.profiles.length })} ·{' '}
            {probe.ptz ? t('ptz.devices.ptzYes') : t('ptz.devices.ptzNo')}
          </p>
          <p className="muted">{probe.profiles.map((profile) => `${profile.name} ${profile.encoding ?? ''} ${profile.widthPx ?? '?'}×${profile.heightPx ?? '?'}`).join(' · ')}</p>
          {Math.abs(skewS) >= 5 && (
            <p className="ptz-note ptz-note-warn" data-testid="clock-skew">
              {t('ptz.devices.clockSkew', { seconds: skewS })}
            </p>
          )}
          {probe.rewrittenHosts > 0 && <p className="muted">{t('ptz.devices.rewritten')}</p>}
        </div>
      )}
    </section>
  );
}

function RtspSection() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const added = useAdded();
  const [name, setName] = useState('');
  const [main, setMain] = useState('');
  const [sub, setSub] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<'test' | 'add' | null>(null);
  const [picture, setPicture] = useState<string | null>(null);
  const [problem, setProblem] = useState<DeviceProblemInfo | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const credentials = username ? { username, password } : {};

  const test = (): void => {
    if (main.trim().length < 8) return setMissing(t('ptz.devices.mainUrl'));
    setMissing(null);
    setBusy('test');
    setProblem(null);
    setPicture(null);
    void client.call('devicesTestRtsp', { url: main, ...credentials }).then((result) => {
      setBusy(null);
      if (!result.ok) return;
      setPicture(result.value.pngDataUrl);
      setProblem(result.value.problem);
    });
  };
  const add = (event: FormEvent): void => {
    event.preventDefault();
    if (!name.trim()) return setMissing(t('ptz.devices.name'));
    if (main.trim().length < 8) return setMissing(t('ptz.devices.mainUrl'));
    setMissing(null);
    setBusy('add');
    setProblem(null);
    void client.call('devicesAddRtsp', { name, main, ...(sub.trim() ? { sub } : {}), ...credentials }).then((result) => {
      setBusy(null);
      if (!result.ok) return;
      setProblem(result.value.problem);
      if (result.value.cameraIds.length > 0) {
        added(result.value.cameraIds.length);
        setPassword('');
      }
    });
  };
  return (
    <section className="card ptz-card" data-testid="rtsp-section">
      <h2>{t('ptz.devices.rtsp')}</h2>
      <form onSubmit={add}>
        <Field label={t('ptz.devices.name')}>
          <input value={name} onChange={(event) => setName(event.target.value)} data-field="rtsp-name" />
        </Field>
        <Field label={t('ptz.devices.mainUrl')}>
          <input value={main} onChange={(event) => setMain(event.target.value)} placeholder="rtsp://192.168.1.64:554/Streaming/Channels/101" data-field="rtsp-main" />
        </Field>
        <Field label={t('ptz.devices.subUrl')}>
          <input value={sub} onChange={(event) => setSub(event.target.value)} data-field="rtsp-sub" />
        </Field>
        <div className="ptz-row">
          <Field label={t('ptz.devices.username')}>
            <input value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" />
          </Field>
          <Field label={t('ptz.devices.password')}>
            <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        {missing && <p className="field-error">{t('ptz.devices.required', { field: missing })}</p>}
        <div className="ptz-row">
          <button type="button" className="tool" disabled={busy !== null} onClick={test} data-action="rtsp-test">
            {busy === 'test' ? t('ptz.devices.testing') : t('ptz.devices.test')}
          </button>
          <button type="submit" className="tool tool-active" disabled={busy !== null} data-action="rtsp-add">
            {busy === 'add' ? t('ptz.devices.adding') : t('ptz.devices.add')}
          </button>
        </div>
      </form>
      <Problem problem={problem} />
      {picture && (
        <figure className="ptz-test-picture">
          <img src={picture} alt={t('ptz.devices.testOk')} data-testid="rtsp-test-picture" />
          <figcaption className="muted">{t('ptz.devices.testOk')}</figcaption>
        </figure>
      )}
    </section>
  );
}

function NvrSection() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const added = useAdded();
  const [vendor, setVendor] = useState<NvrVendor>('hikvision');
  const [host, setHost] = useState('');
  const [rtspPort, setRtspPort] = useState(554);
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [channels, setChannels] = useState(4);
  const [namePrefix, setNamePrefix] = useState('Đầu ghi');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<DeviceProblemInfo | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(host.trim())) return setMissing(t('ptz.devices.host'));
    if (!namePrefix.trim()) return setMissing(t('ptz.devices.namePrefix'));
    setMissing(null);
    setBusy(true);
    setProblem(null);
    void client.call('devicesImportNvr', { vendor, host: host.trim(), rtspPort, username, password, channels, namePrefix }).then((result) => {
      setBusy(false);
      if (!result.ok) return;
      setProblem(result.value.problem);
      if (result.value.cameraIds.length > 0) added(result.value.cameraIds.length);
    });
  };
  return (
    <section className="card ptz-card" data-testid="nvr-section">
      <h2>{t('ptz.devices.nvr')}</h2>
      <form onSubmit={submit}>
        <div className="ptz-row">
          <Field label={t('ptz.devices.vendor')}>
            <select value={vendor} onChange={(event) => setVendor(event.target.value as NvrVendor)} data-field="nvr-vendor">
              <option value="hikvision">{t('ptz.devices.hikvision')}</option>
              <option value="dahua">{t('ptz.devices.dahua')}</option>
            </select>
          </Field>
          <Field label={t('ptz.devices.host')}>
            <input value={host} onChange={(event) => setHost(event.target.value)} placeholder="192.168.1.108" data-field="nvr-host" />
          </Field>
        </div>
        <div className="ptz-row">
          <Field label={t('ptz.devices.rtspPort')}>
            <input type="number" min={1} max={65535} value={rtspPort} onChange={(event) => setRtspPort(Number(event.target.value) || 554)} data-field="nvr-port" />
          </Field>
          <Field label={t('ptz.devices.channels')}>
            <input type="number" min={1} max={64} value={channels} onChange={(event) => setChannels(Math.max(1, Math.min(64, Number(event.target.value) || 1)))} data-field="nvr-channels" />
          </Field>
        </div>
        <div className="ptz-row">
          <Field label={t('ptz.devices.username')}>
            <input value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" />
          </Field>
          <Field label={t('ptz.devices.password')}>
            <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" data-field="nvr-password" />
          </Field>
        </div>
        <Field label={t('ptz.devices.namePrefix')}>
          <input value={namePrefix} onChange={(event) => setNamePrefix(event.target.value)} data-field="nvr-prefix" />
        </Field>
        {missing && <p className="field-error">{t('ptz.devices.required', { field: missing })}</p>}
        <button type="submit" className="tool tool-active" disabled={busy} data-action="nvr-import">
          {busy ? t('ptz.devices.adding') : t('ptz.devices.import')}
        </button>
      </form>
      <Problem problem={problem} />
    </section>
  );
}
