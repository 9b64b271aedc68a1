let last = 0;

/**
 * Orders the states the core sends (stream and recording statuses). Events travel over the live
 * socket and lists over HTTP, so a list answered before an event can arrive after it: the UI keeps
 * whichever it holds with the higher revision. Microseconds of the wall clock at least, so that a
 * restarted core still counts up from where the previous one stopped.
 */
export function nextRevision(): number {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
}
