import type { Command } from 'commander';
import { ensureStateDir, loadApp, localPaths } from '../app-context.js';
import { removeDiscovery, writeDiscovery } from '../connection/discovery.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { portOption, runtimeOption } from '../options.js';

interface StartFlags {
  once: boolean;
  reset: boolean;
  endpointPort: number;
  lbPort: number;
  runtime: 'process' | 'docker';
  strict: boolean;
  verbose: boolean;
}

export function startCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description(
      'Start the local cloud, provision it from the app, and deploy every service through the state machine (dependsOn order); then serve until Ctrl-C',
    )
    .option(
      '--once',
      'deploy, stop everything, and exit 0 if every deployment succeeded (CI, benchmarks)',
      false,
    )
    .option('--reset', 'clear local state (.stepship) first', false)
    .option(
      '--endpoint-port <n>',
      "the AWS endpoint's port",
      portOption('--endpoint-port'),
      envPort('STEPSHIP_ENDPOINT_PORT', 4566),
    )
    .option(
      '--lb-port <n>',
      "the load balancer's port",
      portOption('--lb-port'),
      envPort('STEPSHIP_LB_PORT', 8080),
    )
    .option(
      '--runtime <runtime>',
      'process (no Docker: Node apps run as local processes) or docker (the buildspec builds any Dockerfile, tasks run as containers)',
      runtimeOption,
      (process.env.STEPSHIP_RUNTIME as 'process' | 'docker' | undefined) ?? 'process',
    )
    .option(
      '--strict',
      'for shared machines: every request must be signed with the credentials kept in .stepship/credentials.json (mode 0600), the registry needs docker login, and the console URL carries a key',
      process.env.STEPSHIP_STRICT === '1',
    )
    .option(
      '--verbose',
      'list each resource type the local cloud records without running (networking, DNS, instances…), with why',
      false,
    )
    .action(async (flags: StartFlags, command: Command) => {
      const { io } = ctx;
      const app = loadApp(command.optsWithGlobals().app);
      const paths = localPaths(app);
      ensureStateDir(paths.stateDir);
      // The local cloud and the CDK load here, not for every command.
      const { PortInUseError } = await import('../../local/cloud.js');
      const { allSucceeded, describeEndpoints, RuntimeMismatchError, startLocal } = await import(
        '../start.js'
      );
      const running = await startLocal({
        app,
        ...paths,
        endpointPort: flags.endpointPort,
        loadBalancerPort: flags.lbPort,
        reset: flags.reset,
        runtime: flags.runtime,
        strict: flags.strict,
        verbose: flags.verbose,
        out: (line) => io.out(line),
      }).catch((err: unknown) => {
        // What the user fixes with another port or runtime: a usage error.
        if (err instanceof PortInUseError || err instanceof RuntimeMismatchError)
          throw new UsageError(err.message);
        throw err;
      });
      const ok = allSucceeded(running);
      if (flags.once) {
        await running.cloud.stop();
        ctx.setExit(ok ? EXIT.ok : EXIT.failed);
        return;
      }
      const { cloud } = running;
      // The other commands find this local cloud through this file while it serves.
      writeDiscovery(paths.stateDir, {
        pid: process.pid,
        endpoint: cloud.endpointUrl,
        loadBalancerUrl: cloud.loadBalancerUrl,
        consoleUrl: cloud.consoleUrl,
        region: cloud.region,
        accountId: cloud.accountId,
        strict: cloud.strict,
        startedAt: new Date().toISOString(),
      });
      try {
        for (const line of describeEndpoints(cloud, paths.stateDir, running.names)) io.out(line);
        io.out('');
        io.out(
          `  In another terminal: stepship status | history | deploy | logs ${running.names.services[0] ?? 'SERVICE'} -f | watch`,
        );
        io.out('\nServing until Ctrl-C.');
        ctx.stopsOnInterrupt();
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        io.out('\nStopping tasks, functions and servers…');
      } finally {
        removeDiscovery(paths.stateDir);
        await cloud.stop();
      }
      io.out('Stopped.');
    });
}

/** A port from the environment, else the default (checked like the flag). */
function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined ? fallback : portOption(name)(raw);
}
