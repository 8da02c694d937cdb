import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  type HistoryEvent,
  paginateGetExecutionHistory,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { DeploymentNotFoundError, ValidationError } from '../commons/errors.js';
import type { DeploymentRecord, RecordStore } from '../commons/records.js';
import { executionArn } from '../start-deployment/execution-name.js';

const DEPLOYMENT_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface GetDeploymentDeps {
  sfn: SFNClient;
  records: RecordStore;
  stateMachineArn: string;
}

export interface StepSummary {
  step: string;
  enteredAt: string;
  exitedAt?: string;
  error?: string;
}

export interface DeploymentView {
  deploymentId: string;
  status: string;
  executionArn: string;
  startedAt?: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  record?: DeploymentRecord;
  steps: StepSummary[];
}

/** A history long enough for any deployment, short enough to answer within API Gateway's timeout. */
const MAX_HISTORY_EVENTS = 5000;

/** Status, record and step-by-step history of one deployment. */
export async function getDeployment(id: string, deps: GetDeploymentDeps): Promise<DeploymentView> {
  if (!DEPLOYMENT_ID.test(id)) throw new ValidationError('The deployment id must be 1–80 of A-Z a-z 0-9 _ -');
  const arn = executionArn(deps.stateMachineArn, id);
  const record = await deps.records.getRecord(id);
  let execution: DescribeExecutionCommandOutput;
  try {
    execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (err) {
    if (!(err instanceof ExecutionDoesNotExist)) throw err;
    // Step Functions keeps history for 90 days; the record outlives it.
    if (!record) throw new DeploymentNotFoundError(`No deployment ${id}`);
    return { deploymentId: id, status: record.status, executionArn: arn, record, steps: [] };
  }
  const events: HistoryEvent[] = [];
  const pages = paginateGetExecutionHistory({ client: deps.sfn, pageSize: 1000 }, { executionArn: arn });
  for await (const page of pages) {
    events.push(...(page.events ?? []));
    if (events.length >= MAX_HISTORY_EVENTS) break;
  }
  return {
    deploymentId: id,
    status: execution.status ?? 'UNKNOWN',
    executionArn: arn,
    startedAt: execution.startDate?.toISOString(),
    stoppedAt: execution.stopDate?.toISOString(),
    error: execution.error,
    cause: execution.cause,
    record,
    steps: summarizeSteps(events),
  };
}

/** One line per state entered: when, until when, and the error it raised, if any. */
export function summarizeSteps(events: HistoryEvent[]): StepSummary[] {
  const steps: StepSummary[] = [];
  for (const event of events) {
    const at = event.timestamp?.toISOString() ?? '';
    if (event.stateEnteredEventDetails?.name) {
      steps.push({ step: event.stateEnteredEventDetails.name, enteredAt: at });
    } else if (event.stateExitedEventDetails?.name) {
      const open = [...steps]
        .reverse()
        .find((s) => s.step === event.stateExitedEventDetails?.name && !s.exitedAt);
      if (open) open.exitedAt = at;
    } else {
      const failure =
        event.lambdaFunctionFailedEventDetails ??
        event.taskFailedEventDetails ??
        event.executionFailedEventDetails;
      const last = steps.at(-1);
      if (failure?.error && last && !last.error) last.error = failure.error;
    }
  }
  return steps;
}
