import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { watchServices } from '../operations/watch-services.js';
import { countOption } from '../options.js';
import { seconds } from '../render/format.js';
import { appOf, type CommonFlags, servicesNamed, whereOptions, withSession } from '../session.js';
import { outcomeLine } from './deploy.js';

const LOCAL_ONLY =
  'watch redeploys on every saved change, so it runs against the local cloud only: start it with `stepship start` (or give --endpoint URL)';

interface WatchFlags extends CommonFlags {
  debounce: number;
}

export function watchCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('watch')
      .argument('[services...]', 'the services to watch (default: every service built from a folder)')
      .description(
        'Local cloud only: redeploy a service through the state machine whenever its build context changes, showing the rollout (node_modules, dist and .stepship are ignored)',
      )
      .option(
        '--debounce <ms>',
        'quiet time after the last change before redeploying',
        countOption('--debounce', 60_000),
        500,
      ),
  ).action((names: string[], flags: WatchFlags, command: Command) => {
    const { io } = ctx;
    const app = appOf(command);
    const models = servicesNamed(app, names).filter((m) => m.image.kind === 'build');
    if (models.length === 0)
      throw new UsageError('None of these services is built from a folder: nothing to watch');
    return withSession(
      app,
      flags,
      async (session) => {
        const line = (service: string, text: string) =>
          io.out(flags.json ? JSON.stringify({ service, event: text }) : text);
        ctx.stopsOnInterrupt();
        await watchServices(session, models, {
          signal: ctx.signal,
          debounceMs: flags.debounce,
          events: {
            watching: (service, dir) => line(service, `watching ${service}: ${dir}`),
            changed: (service, files) =>
              line(
                service,
                `· ${service}: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} changed`,
              ),
            started: (service, id) => line(service, `→ redeploying ${service}: deployment ${id}`),
            step: (service, s) =>
              line(service, `  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
            rollout: (service, text) => line(service, text),
            finished: (service, outcome) => line(service, outcomeLine(service, outcome)),
            failed: (service, error) => line(service, `✗ ${service}: ${error.message}`),
          },
        });
        io.out('Stopped watching.');
      },
      { localOnly: LOCAL_ONLY },
    );
  });
}
