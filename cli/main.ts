import { interruptHandler } from './interrupts.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

// Ctrl-C: commands that run until stopped (start, logs -f, watch) stop cleanly; any other exits at once.
const interrupted = new AbortController();
let stopsByItself = false;
const onInterrupt = interruptHandler(interrupted, {
  stopsByItself: () => stopsByItself,
  exit: (code) => process.exit(code),
});
process.on('SIGINT', () => onInterrupt(130));
process.on('SIGTERM', () => onInterrupt(143));

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
