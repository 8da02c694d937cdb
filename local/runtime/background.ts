/**
 * Work the local cloud does on its own (schedulers, health checks, task
 * starts and stops, draining) runs outside any request: a throw there has no
 * caller to answer, and left alone it would end the process. Each piece of
 * such work goes through here, so a failure is reported and that piece
 * alone ends.
 */

/** Where background failures go; stderr unless a test or host says otherwise. */
let report: (what: string, err: unknown) => void = (what, err) => {
  const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  process.stderr.write(`stepship local cloud: ${what} failed: ${detail}\n`);
};

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
