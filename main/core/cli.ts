import { DEFAULT_LANGUAGE, isLanguage, translate } from '../../common/i18n';
import { SiteFileError } from './site/loadSite';
import { formatSiteIssues } from './site/parseSite';
import { startCore } from './core';
import { rendererDir, restrictToOwner } from './paths';
import { parseCliArgs, type CliOptions } from './cliArgs';
import { DEFAULT_MIN_FREE_GB, DEFAULT_RETENTION_DAYS } from '../../common/site';
import { DataFolderLockedError } from './dataLock';
import { EXIT_CODES } from './restartPolicy';
import { ffmpegWarning } from './ffmpeg/resolve';

/** Set by main/core/supervise.ts: the same token across restarts keeps open pages signed in. */
const SUPERVISED_TOKEN = process.env.CONSOLE_SUPERVISED_TOKEN;

/**
 * Browser mode: `npm run serve -- [--site FILE] [--data DIR] [--port N]`. Starts the core, serves
 * the built renderer on 127.0.0.1 and prints the address to open (token included) on a line of
 * its own. With no --site, the built-in demo site of Đông Khê.
 */
async function main(): Promise<void> {
  // before anything is written: every file and folder of the console is owner-only
  restrictToOwner();
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    const language = isLanguage(process.env.CONSOLE_LANG) ? process.env.CONSOLE_LANG : DEFAULT_LANGUAGE;
    console.error(translate(language, 'cli.badArgs', { detail: (error as Error).message }));
    console.error(translate(language, 'cli.usage'));
    process.exit(2);
  }
  const t = (key: string, vars?: Record<string, string | number>) => translate(options.language, key, vars);

  let core: Awaited<ReturnType<typeof startCore>>;
  try {
    core = await startCore({
      sitePath: options.site,
      dataDir: options.data,
      port: options.port,
      host: 'browser',
      language: options.language,
      staticDir: rendererDir(),
      ffmpegPath: options.ffmpeg,
      logLevel: options.logLevel,
      token: SUPERVISED_TOKEN && /^[A-Za-z0-9_-]{20,}$/.test(SUPERVISED_TOKEN) ? SUPERVISED_TOKEN : undefined,
      security: options.idleLockSeconds === null ? undefined : { idleLockMs: options.idleLockSeconds * 1000 },
      demoTrouble: options.demoTrouble ?? undefined,
    });
  } catch (error) {
    if (error instanceof SiteFileError) {
      console.error(formatSiteIssues(error.file, error.issues, options.language));
      process.exit(EXIT_CODES.config);
    }
    if (error instanceof DataFolderLockedError) {
      console.error(t('host.locked', { dir: error.dir, pid: error.owner.pid, since: new Date(error.owner.startedAtMs).toLocaleString(options.language === 'vi' ? 'vi-VN' : 'en-GB') }));
      process.exit(EXIT_CODES.locked);
    }
    throw error;
  }

  console.log(t('app.title') + ' — ' + t('app.station', { name: core.site.name }));
  console.log(t('cli.site', { name: core.site.name, count: core.site.cameras.length }));
  if (core.isDemo) console.log(t('cli.demoSite'));
  console.log(core.ffmpeg ? t('cli.ffmpeg', { path: core.ffmpeg.path, source: core.ffmpeg.source, version: core.ffmpeg.version }) : t('cli.ffmpegMissing'));
  if (core.ffmpeg && ffmpegWarning(core.ffmpeg.source, core.ffmpeg.version)) console.log(t('host.ffmpegOld', { version: core.ffmpeg.version }));
  console.log(t('cli.dataDir', { dir: options.data }));
  const recorded = core.recording.statuses().filter((status) => status.state !== 'disabled').length;
  const settings = core.site.recording ?? {};
  console.log(t('cli.recording', { count: recorded, days: settings.retentionDays ?? DEFAULT_RETENTION_DAYS, floor: settings.minFreeGb ?? DEFAULT_MIN_FREE_GB }));
  const recovery = core.recording.recovery;
  if (recovery && (recovery.indexed.length > 0 || recovery.removed.length > 0)) {
    console.log(t('cli.recovered', { indexed: recovery.indexed.length, removed: recovery.removed.length }));
  }
  console.log(t('cli.openUrl'));
  console.log(core.url);

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    console.log(t('cli.stopping'));
    core.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('exit', () => core.registry.killAll());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
