import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's awscli (v2); AWS_CLI overrides. */
export const AWS_CLI = process.env.AWS_CLI ?? '/usr/bin/aws';

/** Why AWS CLI tests can't run here, or undefined. In CI a missing CLI is an error: `.ci/run` installs it. */
export function awsCliUnavailableReason(): string | undefined {
  if (existsSync(AWS_CLI)) return undefined;
  const reason = `no AWS CLI at ${AWS_CLI} (apt-get install awscli, or set AWS_CLI)`;
  if (process.env.CI === 'true') throw new Error(`AWS CLI tests must run in CI: ${reason}`);
  return reason;
}

/** The AWS CLI pointed at a local cloud endpoint, answering parsed JSON. */
export function awsCli(endpointUrl: string) {
  return async (...args: string[]): Promise<unknown> => {
    const { stdout } = await run(AWS_CLI, ['--endpoint-url', endpointUrl, '--output', 'json', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: tmpdir(),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_PAGER: '',
      },
    });
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  };
}
