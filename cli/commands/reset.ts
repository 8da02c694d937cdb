import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { loadApp, localPaths } from '../app-context.js';
import type { CliContext } from '../context.js';

export function resetCommand(program: Command, ctx: CliContext): void {
  program
    .command('reset')
    .description("Clear the app's local state (.stepship: images, the synthesized app, the local CA)")
    .action((_flags: unknown, command: Command) => {
      const { stateDir } = localPaths(loadApp(command.optsWithGlobals().app));
      rmSync(stateDir, { recursive: true, force: true });
      ctx.io.out(`Cleared local state (${stateDir}).`);
    });
}
