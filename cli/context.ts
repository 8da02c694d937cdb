import type { Io } from './io.js';

/** What the program hands every command: where to write, how to set the exit code, when to stop. */
export interface CliContext {
  io: Io;
  /** Sets the process's exit code (0 unless a command says otherwise). */
  setExit(code: number): void;
  /** Aborted on Ctrl-C (or by a test): commands that run until stopped (start, logs -f, watch) stop then. */
  signal: AbortSignal;
  /** Said by a command that stops by itself on `signal`, so Ctrl-C lets it finish rather than exiting at once. */
  stopsOnInterrupt(): void;
}
