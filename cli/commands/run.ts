import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { runOneOff } from '../operations/one-off-task.js';
import { envOption } from '../options.js';
import { appOf, type CommonFlags, serviceNamed, whereOptions, withSession } from '../session.js';

interface RunFlags extends CommonFlags {
  env?: Record<string, string>;
}

export function runCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('run')
      .argument('<service>', 'the service whose current task definition runs the command')
      .argument('<command...>', 'the command and its arguments, after -- (e.g. -- node dist/migrate.js)')
      .description(
        "Run a one-off task (a migration) from the service's current task definition, stream its output, and exit with its exit code",
      )
      .option('--env <NAME=value>', 'an environment variable for this task only (repeatable)', envOption)
      .addHelpText('after', '\nExample: stepship run web -- node dist/migrate.js --to latest'),
  ).action((name: string, commandLine: string[], flags: RunFlags, command: Command) => {
    const { io } = ctx;
    const app = appOf(command);
    const model = serviceNamed(app, name);
    if (commandLine.length === 0) throw new UsageError('Give the command to run after --');
    return withSession(app, flags, async (session) => {
      ctx.stopsOnInterrupt();
      const lines: string[] = [];
      const result = await runOneOff(session, model, {
        command: commandLine,
        environment: flags.env ?? {},
        signal: ctx.signal,
        onLine: (line) => (flags.json ? lines.push(line) : io.out(line)),
        onStatus: (status) => flags.json || io.err(`· task ${status.toLowerCase()}`),
        onNotice: (notice) => io.err(`· ${notice}`),
      });
      if (flags.json) io.out(JSON.stringify({ ...result, output: lines }, null, 2));
      else if (result.exitCode === undefined)
        io.err(`✗ the task never ran its command: ${result.stoppedReason ?? 'no reason given'}`);
      else
        io.err(
          `· exit code ${result.exitCode}${result.exitCode === 0 ? '' : ` (${result.stoppedReason ?? ''})`}`,
        );
      ctx.setExit(result.exitCode ?? EXIT.failed);
    });
  });
}
