import { parseLocalDateTime } from './exportTime';

/** The `exportClip.why.*` key that says why Start is not offered yet (a disabled button that said nothing), or null when it is. */
export function whyNotReady(
  form: { from: string; to: string; cameraIds: readonly string[]; destination: string },
  timeZone: string,
  estimate: { fits: boolean | null; totalBytes: number } | null,
): string | null {
  if (form.cameraIds.length === 0) return 'noCameras';
  const startMs = parseLocalDateTime(form.from, timeZone);
  const endMs = parseLocalDateTime(form.to, timeZone);
  if (startMs === null) return 'badFrom';
  if (endMs === null) return 'badTo';
  if (endMs <= startMs) return 'reversed';
  if (!form.destination) return 'noDestination';
  if (estimate === null) return 'estimating';
  if (estimate.totalBytes === 0) return 'noFootage';
  if (estimate.fits === false) return 'doesNotFit';
  return null;
}
