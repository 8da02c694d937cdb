import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { loadApp, localPaths } from '../app-context.js';

export function resetCommand(program: Command): void {
  program
    .command('reset')
    .description("Clear the app's local state (.stepship: images, the synthesized app, the local CA)")
    .action((_flags: unknown, command: Command) => {
      const { stateDir } = localPaths(loadApp(command.optsWithGlobals().app));
      rmSync(stateDir, { recursive: true, force: true });
      console.log(`Cleared local state (${stateDir}).`);
    });
}
