import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';

/**
 * What a technician asks first (issue 16): which version runs, in which host, with which ffmpeg
 * reading the camera streams, and whether Chromium draws the wall with the GPU (its ANGLE back
 * end) or in software. Read-only.
 */
export function webglRendererName(): string | null {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null;
  }
}

/** Chromium's software rasterizers (SwiftShader, llvmpipe): the wall then costs CPU. */
export const isSoftwareRenderer = (name: string): boolean => /swiftshader|llvmpipe|software|basic render/i.test(name);

export function SystemPanel() {
  const { t } = useTranslation();
  const session = useConsole((state) => state.session);
  const gpu = useMemo(() => webglRendererName(), []);
  if (!session) return null;
  const ffmpeg = session.ffmpeg ?? null;
  return (
    <section className="card system-panel" data-testid="system-panel">
      <h2>{t('host.system.title')}</h2>
      <dl className="system-facts">
        <dt>{t('host.system.version')}</dt>
        <dd>{session.version}</dd>
        <dt>{t('host.system.host')}</dt>
        <dd>{t(`host.system.hosts.${session.host}`)}</dd>
        <dt>{t('host.system.ffmpeg')}</dt>
        <dd data-field="ffmpeg-version">{ffmpeg ? `${ffmpeg.version} — ${t(`host.system.sources.${ffmpeg.source}`)}` : t('host.system.ffmpegMissing')}</dd>
        {ffmpeg && (
          <>
            <dt>{t('host.system.ffmpegSource')}</dt>
            <dd className="system-path">{ffmpeg.path}</dd>
          </>
        )}
        <dt>{t('host.system.gpu')}</dt>
        <dd data-field="gpu">{gpu ?? t('host.system.gpuUnknown')}</dd>
      </dl>
      {ffmpeg?.warning === 'oldBundled' && (
        <p className="system-warning" role="alert" data-testid="ffmpeg-warning">
          {t('host.ffmpegOld', { version: ffmpeg.version })}
        </p>
      )}
      {gpu && isSoftwareRenderer(gpu) && <p className="system-warning">{t('host.system.gpuSoftware')}</p>}
    </section>
  );
}
