import { PortInUseError } from '@stepship/local-cloud';
import { Command, CommanderError } from 'commander';
import { ManifestError } from '../manifest/index.js';
import { resetCommand } from './commands/reset.js';
import { startCommand } from './commands/start.js';
import { synthCommand } from './commands/synth.js';
import { RuntimeMismatchError } from './start.js';

/** Exit codes: 0 success, 1 a deployment or check failed, 2 a usage or input error. */
const USAGE_ERROR = 2;

function program(): Command {
  const program = new Command('stepship')
    .description(
      'Deploy the app that stepship.yml describes to Amazon ECS through a Step Functions state machine — or rehearse it on the local cloud.',
    )
    .option('--app <dir>', 'the folder holding stepship.yml (default: the current folder)')
    .showHelpAfterError('(stepship --help lists the commands)')
    .exitOverride();
  for (const add of [startCommand, synthCommand, resetCommand]) add(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_ERROR;
    if (
      err instanceof ManifestError ||
      err instanceof PortInUseError ||
      err instanceof RuntimeMismatchError
    ) {
      console.error(`stepship: ${err.message}`);
      return USAGE_ERROR;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('stepship:', err);
    process.exit(1);
  },
);
