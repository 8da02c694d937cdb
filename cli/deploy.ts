import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type HistoryEvent,
  paginateGetExecutionHistory,
} from '@aws-sdk/client-sfn';
import { CommandFailedError, UsageError } from './errors.js';
import type { LocalClients } from './local-clients.js';
import { zipFolder } from './source-archive.js';

/** Where a deployment from source enters the pipeline: the service, the source bucket, start-deployment. */
export interface PipelineEntry {
  service: string;
  sourceBucket: string;
  startFunction: string;
}

export interface StepTiming {
  step: string;
  ms: number;
  ok: boolean;
}

export interface DeploymentOutcome {
  deploymentId: string;
  executionArn: string;
  status: string;
  error?: string;
  cause?: string;
  steps: StepTiming[];
  totalMs: number;
}

/** What a deployment from the CLI deploys: a tag, a digest, a source to build, or an existing revision. */
export type DeployWhat =
  | { imageTag: string }
  | { imageDigest: string }
  | { source: string }
  | { taskDefinition: string };

export interface StartedDeployment {
  deploymentId: string;
  executionArn: string;
}

/**
 * A deployment from the CLI, the way it runs on AWS: the service folder is
 * zipped to the source bucket, and the start-deployment function is invoked
 * with the CLI's payload. Returns the deployment id the function answered.
 */
export async function startFromSource(
  clients: Pick<LocalClients, 's3' | 'lambda'>,
  target: PipelineEntry,
  serviceDir: string,
  requester: string,
): Promise<StartedDeployment> {
  const key = `sources/${target.service}/${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.zip`;
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: target.sourceBucket,
      Key: key,
      Body: zipFolder(serviceDir),
      ContentType: 'application/zip',
    }),
  );
  return startDeployment(clients, target, { source: `s3://${target.sourceBucket}/${key}` }, requester);
}

/**
 * Starts a deployment through the start-deployment function, as the API and
 * the push rule do: Lambda Invoke with the CLI's payload. A request the
 * function refuses (400) is a UsageError with its words; a busy service
 * (409) fails the command with the function's message; so does any other refusal.
 */
export async function startDeployment(
  clients: Pick<LocalClients, 'lambda'>,
  target: PipelineEntry,
  what: DeployWhat,
  requester: string,
): Promise<StartedDeployment> {
  const payload = { service: target.service, ...what, requester };
  const out = await clients.lambda.send(
    new InvokeCommand({ FunctionName: target.startFunction, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const answer = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as {
    statusCode?: number;
    body?: string;
    errorMessage?: string;
  };
  if (out.FunctionError)
    throw new CommandFailedError(`start-deployment failed: ${answer.errorMessage ?? 'unknown error'}`);
  const body = JSON.parse(answer.body ?? '{}') as {
    deploymentId?: string;
    executionArn?: string;
    message?: string;
  };
  if (answer.statusCode === 400)
    throw new UsageError(`start-deployment refused the request: ${body.message ?? answer.body}`);
  // The service is being deployed (409): its words name the running deployment and how to queue.
  if (answer.statusCode === 409) throw new CommandFailedError(body.message ?? String(answer.body));
  if (!answer.statusCode || answer.statusCode >= 300 || !body.executionArn) {
    throw new CommandFailedError(
      `start-deployment answered ${answer.statusCode}: ${body.message ?? answer.body}`,
    );
  }
  return { deploymentId: body.deploymentId ?? '', executionArn: body.executionArn };
}

/** Who deploys from this machine, for the record: `cli:<user>@<host>`, in the requester alphabet. */
export function cliRequester(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the record says unknown.
  }
  return `cli:${user}@${hostname()}`.replace(/[^A-Za-z0-9:/@._+=,-]/g, '-').slice(0, 256);
}

/**
 * Follows an execution through its history, calling `onStep` as each state
 * finishes (with its duration), until the execution ends.
 */
export async function follow(
  clients: Pick<LocalClients, 'sfn'>,
  executionArn: string,
  onStep: (s: StepTiming) => void = () => undefined,
  pollMs = 300,
): Promise<DeploymentOutcome> {
  const started = Date.now();
  const entered = new Map<string, number>();
  const steps: StepTiming[] = [];
  const failedSteps = new Set<string>();
  let lastEntered = 'step';
  let seen = 0;
  for (;;) {
    // Status first, history second: once the status is final, the history read after it is complete.
    const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events: HistoryEvent[] = [];
    for await (const page of paginateGetExecutionHistory({ client: clients.sfn }, { executionArn })) {
      events.push(...(page.events ?? []));
    }
    for (const event of events.slice(seen)) {
      const at = event.timestamp?.getTime() ?? Date.now();
      if (event.stateEnteredEventDetails?.name) {
        lastEntered = event.stateEnteredEventDetails.name;
        entered.set(lastEntered, at);
      }
      const failed = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
      const exited = event.stateExitedEventDetails?.name;
      if (exited && failedSteps.delete(exited)) {
        // Already reported with its error.
      } else if (exited) {
        const timing = { step: exited, ms: at - (entered.get(exited) ?? at), ok: true };
        steps.push(timing);
        onStep(timing);
      } else if (failed) {
        const step = lastEntered;
        failedSteps.add(step);
        const timing = { step: `${step} (${failed.error})`, ms: at - (entered.get(step) ?? at), ok: false };
        steps.push(timing);
        onStep(timing);
      }
    }
    seen = events.length;
    if (execution.status !== 'RUNNING') {
      return {
        deploymentId: execution.name ?? '',
        executionArn,
        status: execution.status ?? 'UNKNOWN',
        error: execution.error,
        cause: execution.cause,
        steps,
        totalMs: (execution.stopDate?.getTime() ?? Date.now()) - (execution.startDate?.getTime() ?? started),
      };
    }
    await sleep(pollMs);
  }
}
