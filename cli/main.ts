import { processIo } from './io.js';
import { runCli } from './program.js';

// Ctrl-C: commands that run until stopped (start, logs -f, watch) stop cleanly; any other exits at once.
const interrupted = new AbortController();
let stopsByItself = false;
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.on(signal, () => {
    if (interrupted.signal.aborted || !stopsByItself) process.exit(code);
    interrupted.abort();
  });

runCli(process.argv.slice(2), {
  io: processIo,
  signal: interrupted.signal,
  onInterruptHandled: () => {
    stopsByItself = true;
  },
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('stepship:', err);
    process.exit(1);
  },
);
