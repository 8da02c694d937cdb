#!/usr/bin/env node
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PortInUseError } from '@stepship/local-cloud';
import { ConfigError } from '../orchestration/config.js';
import { describeEndpoints, startLocal } from './start.js';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

const USAGE = `Usage: stepship <command> [options]

Commands:
  start   Start the local cloud, provision it from the CDK app, and deploy service/ through
          the state machine; then keep serving until Ctrl-C. (npm start)
  reset   Clear local state (.stepship and cdk.out).

Options for start:
  --once               Run one deployment, stop everything, exit 0 if it succeeded (for CI, benchmarks)
  --reset              Clear local state before starting
  --endpoint-port N    The AWS endpoint's port (default 4566, or STEPSHIP_ENDPOINT_PORT)
  --lb-port N          The load balancer's port (default 8080, or STEPSHIP_LB_PORT)
  --runtime R          process (default: no Docker) or docker (build with the buildspec in a Docker
                       engine, push to the local registry, run tasks as containers); or STEPSHIP_RUNTIME
  -h, --help           Show this help

Environment: STEPSHIP_STATE_DIR moves local state (.stepship, and cdk.out with it) elsewhere.`;

function port(value: string | undefined, fallback: number, name: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  return n;
}

class UsageError extends Error {}

function runtime(value: string | undefined): 'process' | 'docker' {
  if (value === undefined || value === 'process' || value === 'docker') return value ?? 'process';
  throw new UsageError(`--runtime must be process or docker, got "${value}"`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      'endpoint-port': { type: 'string' },
      'lb-port': { type: 'string' },
      runtime: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0] ?? 'start';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'reset') {
    for (const dir of ['.stepship', 'cdk.out'])
      rmSync(join(PROJECT_ROOT, dir), { recursive: true, force: true });
    console.log('Cleared local state (.stepship, cdk.out).');
    return 0;
  }
  if (command !== 'start') throw new UsageError(`Unknown command "${command}"`);

  // STEPSHIP_STATE_DIR moves local state (and the synthesized assembly with it) out of the project.
  const stateDir = process.env.STEPSHIP_STATE_DIR ?? join(PROJECT_ROOT, '.stepship');
  const assemblyDir = process.env.STEPSHIP_STATE_DIR
    ? join(stateDir, 'cdk.out')
    : join(PROJECT_ROOT, 'cdk.out');
  const { cloud, outcome, names } = await startLocal({
    serviceDir: join(PROJECT_ROOT, 'service'),
    assemblyDir,
    stateDir,
    endpointPort: port(
      values['endpoint-port'] ?? process.env.STEPSHIP_ENDPOINT_PORT,
      4566,
      '--endpoint-port',
    ),
    loadBalancerPort: port(values['lb-port'] ?? process.env.STEPSHIP_LB_PORT, 8080, '--lb-port'),
    reset: values.reset,
    runtime: runtime(values.runtime ?? process.env.STEPSHIP_RUNTIME),
    out: (line) => console.log(line),
  });
  const ok = outcome.status === 'SUCCEEDED';
  if (values.once) {
    await cloud.stop();
    return ok ? 0 : 1;
  }
  for (const line of describeEndpoints(cloud, stateDir, names)) console.log(line);
  console.log('\nServing until Ctrl-C.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nStopping tasks, functions and servers…');
  await cloud.stop();
  console.log('Stopped.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`stepship: ${err.message}\n\n${USAGE}`);
    else if (err instanceof PortInUseError || err instanceof ConfigError)
      console.error(`stepship: ${err.message}`);
    else console.error('stepship:', err);
    process.exit(2);
  },
);
