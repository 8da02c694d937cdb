import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { type ECSClient, waitUntilServicesStable } from '@aws-sdk/client-ecs';

const run = promisify(execFile);

/** Debian's AWS CLI v2. */
export const AWS_CLI_V2 = process.env.AWS_CLI ?? '/usr/bin/aws';

export interface WaiterTarget {
  endpointUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  cluster: string;
  service: string;
}

/** When a waiter returned (epoch ms), or why it didn't. */
export type WaiterResult = { doneAt: number } | { error: string };

/**
 * `aws ecs wait services-stable`, exactly as a user runs it (AWS CLI v2,
 * its own defaults: a poll every 15 s, 40 attempts), pointed at the local
 * cloud with --endpoint-url.
 */
export async function cliWaiter(t: WaiterTarget): Promise<WaiterResult> {
  try {
    await run(
      AWS_CLI_V2,
      [
        'ecs',
        'wait',
        'services-stable',
        '--cluster',
        t.cluster,
        '--services',
        t.service,
        '--endpoint-url',
        t.endpointUrl,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: tmpdir(),
          AWS_REGION: t.region,
          AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
          AWS_PAGER: '',
        },
      },
    );
    return { doneAt: Date.now() };
  } catch (err) {
    return { error: `aws ecs wait services-stable: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** The JS SDK v3's `waitUntilServicesStable` with its defaults (15–120 s between polls), as a user calls it. */
export async function sdkWaiter(ecs: ECSClient, t: WaiterTarget): Promise<WaiterResult> {
  try {
    await waitUntilServicesStable(
      { client: ecs, maxWaitTime: 600 },
      { cluster: t.cluster, services: [t.service] },
    );
    return { doneAt: Date.now() };
  } catch (err) {
    return { error: `waitUntilServicesStable: ${(err as Error).message}` };
  }
}
