/**
 * Work the local cloud does on its own (schedulers, health checks, task
 * starts and stops, draining) runs outside any request: a throw there has no
 * caller to answer, and left alone it would end the process. Each piece of
 * such work goes through here, so a failure is reported and that piece
 * alone ends.
 */

const REPEAT_AFTER_MS = 60_000;
const lastReported = new Map<string, number>();

/** A failure on stderr, once a minute for the same work (a scheduler's tick fails five times a second). */
function toStderr(what: string, err: unknown): void {
  const now = Date.now();
  if (now - (lastReported.get(what) ?? 0) < REPEAT_AFTER_MS) return;
  if (lastReported.size >= 1000) lastReported.clear();
  lastReported.set(what, now);
  const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  process.stderr.write(`stepship local cloud: ${what} failed: ${detail}\n`);
}

/** Where background failures go; stderr unless a test or host says otherwise. */
let report: (what: string, err: unknown) => void = toStderr;

export function onBackgroundFailure(handler: (what: string, err: unknown) => void): void {
  report = handler;
}

/** Runs `work` now; a throw is reported instead of propagating. */
export function guarded(what: string, work: () => void): void {
  try {
    work();
  } catch (err) {
    report(what, err);
  }
}

/** Lets `work` run on without anyone awaiting it; a rejection is reported, never left unhandled. */
export function inBackground(what: string, work: Promise<unknown> | (() => Promise<unknown>)): void {
  let promise: Promise<unknown>;
  try {
    promise = typeof work === 'function' ? work() : work;
  } catch (err) {
    report(what, err);
    return;
  }
  promise.catch((err: unknown) => report(what, err));
}
