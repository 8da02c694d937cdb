import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { logSourceOf, taskIdOfStream } from '../operations/log-source.js';
import { tailLogs } from '../operations/log-tail.js';
import { sinceOption } from '../options.js';
import { appOf, type CommonFlags, serviceNamed, whereOptions, withSession } from '../session.js';

interface LogsFlags extends CommonFlags {
  follow?: boolean;
  since: number;
}

export function logsCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('logs')
      .argument('<service>', 'the service whose tasks’ logs to show')
      .description(
        "The service's tasks' logs (the log group of its task definition's awslogs options), interleaved by time",
      )
      .option('-f, --follow', 'keep printing new lines until Ctrl-C')
      .option(
        '--since <duration|time>',
        'from how long ago (30s, 10m, 2h, 1d) or an ISO time',
        sinceOption('--since'),
        Date.now() - 10 * 60_000,
      ),
  ).action((name: string, flags: LogsFlags, command: Command) => {
    const app = appOf(command);
    const model = serviceNamed(app, name);
    return withSession(app, flags, async (session) => {
      const source = await logSourceOf(session, model);
      if (flags.follow) ctx.stopsOnInterrupt();
      await tailLogs(session.clients, source, {
        since: flags.since,
        follow: flags.follow === true,
        signal: ctx.signal,
        onEvent: (event) => ctx.io.out(flags.json ? JSON.stringify(jsonEvent(event)) : textEvent(event)),
      });
    });
  });
}

/** `--json` prints one JSON object a line (JSON Lines), so a follower can stream them. */
const jsonEvent = (e: FilteredLogEvent) => ({
  time: new Date(e.timestamp ?? 0).toISOString(),
  task: taskIdOfStream(e.logStreamName),
  message: (e.message ?? '').trimEnd(),
});

const textEvent = (e: FilteredLogEvent): string =>
  `${new Date(e.timestamp ?? 0).toISOString()} [${taskIdOfStream(e.logStreamName).slice(0, 8)}] ${(e.message ?? '').trimEnd()}`;
