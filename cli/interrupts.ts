/**
 * A signal repeated this soon after the first is the same Ctrl-C delivered
 * twice — to the process group and again by bin/stepship.js, which forwards
 * signals to the Node 24 it started when run by an older Node — not a
 * second press asking to exit at once.
 */
export const SAME_INTERRUPT_MS = 500;

export interface InterruptOptions {
  /** Whether the running command has said it stops cleanly on an interrupt (start, logs -f, watch). */
  stopsByItself: () => boolean;
  exit: (code: number) => void;
  now?: () => number;
}

/**
 * What a SIGINT or SIGTERM does: a command that stops by itself is asked to
 * (the controller is aborted); any other command, or a second interrupt
 * while one is stopping, exits at once with the signal's code.
 */
export function interruptHandler(
  controller: AbortController,
  options: InterruptOptions,
): (code: number) => void {
  const now = options.now ?? Date.now;
  let firstAt = 0;
  return (code) => {
    if (!options.stopsByItself()) return options.exit(code);
    if (!controller.signal.aborted) {
      firstAt = now();
      controller.abort();
      return;
    }
    if (now() - firstAt >= SAME_INTERRUPT_MS) options.exit(code);
  };
}
