import type { Command } from 'commander';
import { ensureStateDir, loadApp, localPaths } from '../app-context.js';
import { portOption, runtimeOption } from '../options.js';
import { allSucceeded, describeEndpoints, startLocal } from '../start.js';

interface StartFlags {
  once: boolean;
  reset: boolean;
  endpointPort: number;
  lbPort: number;
  runtime: 'process' | 'docker';
}

export function startCommand(program: Command): void {
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
    .action(async (flags: StartFlags, command: Command) => {
      const app = loadApp(command.optsWithGlobals().app);
      const paths = localPaths(app);
      ensureStateDir(paths.stateDir);
      const running = await startLocal({
        app,
        ...paths,
        endpointPort: flags.endpointPort,
        loadBalancerPort: flags.lbPort,
        reset: flags.reset,
        runtime: flags.runtime,
        out: (line) => console.log(line),
      });
      const ok = allSucceeded(running);
      if (flags.once) {
        await running.cloud.stop();
        process.exitCode = ok ? 0 : 1;
        return;
      }
      for (const line of describeEndpoints(running.cloud, paths.stateDir, running.names)) console.log(line);
      console.log('\nServing until Ctrl-C.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('\nStopping tasks, functions and servers…');
      await running.cloud.stop();
      console.log('Stopped.');
    });
}

/** A port from the environment, else the default (checked like the flag). */
function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined ? fallback : portOption(name)(raw);
}
