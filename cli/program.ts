import { Command, CommanderError } from 'commander';
import { ManifestError } from '../manifest/index.js';
import { deployCommand } from './commands/deploy.js';
import { diffCommand } from './commands/diff.js';
import { historyCommand } from './commands/history.js';
import { logsCommand } from './commands/logs.js';
import { resetCommand } from './commands/reset.js';
import { rollbackCommand } from './commands/rollback.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { synthCommand } from './commands/synth.js';
import { watchCommand } from './commands/watch.js';
import type { CliContext } from './context.js';
import { CliError, EXIT } from './errors.js';
import { type Io, processIo } from './io.js';

export interface RunOptions {
  io?: Io;
  /** Aborting it stops commands that run until stopped (Ctrl-C in a terminal). */
  signal?: AbortSignal;
  /** Called when the running command stops by itself on `signal`. */
  onInterruptHandled?: () => void;
}

function program(ctx: CliContext): Command {
  const program = new Command('stepship')
    .description(
      'Deploy the app that stepship.yml describes to Amazon ECS through a Step Functions state machine — or rehearse it on the local cloud.',
    )
    .option('--app <dir>', 'the folder holding stepship.yml (default: the current folder)')
    .configureOutput({
      writeOut: (text) => ctx.io.out(text.trimEnd()),
      writeErr: (text) => ctx.io.err(text.trimEnd()),
    })
    .showHelpAfterError('(stepship --help lists the commands)')
    .exitOverride()
    .addHelpText(
      'after',
      "\nExit codes: 0 success, 1 the deployment or command failed, 2 a usage or input error (`run` exits with its task's code).\nCommands after `reset` talk to the app's running `stepship start` if there is one, else to AWS (--endpoint URL, --aws choose).",
    );
  for (const add of [
    startCommand,
    synthCommand,
    resetCommand,
    deployCommand,
    statusCommand,
    historyCommand,
    rollbackCommand,
    diffCommand,
    logsCommand,
    runCommand,
    watchCommand,
  ])
    add(program, ctx);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs the stepship command line in this process and answers its exit code;
 * output goes to `io`. Known failures print one message; anything else is a
 * bug and propagates.
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  let exitCode: number = EXIT.ok;
  const ctx: CliContext = {
    io,
    setExit: (code) => {
      exitCode = code;
    },
    signal: options.signal ?? new AbortController().signal,
    stopsOnInterrupt: options.onInterruptHandled ?? (() => undefined),
  };
  try {
    await program(ctx).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      io.err(`stepship: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof ManifestError) {
      io.err(`stepship: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
}
