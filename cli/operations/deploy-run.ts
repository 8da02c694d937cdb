import {
  cliRequester,
  type DeploymentOutcome,
  type DeployWhat,
  follow,
  type PipelineEntry,
  type StartedDeployment,
  type StepTiming,
  startDeployment,
  startFromSource,
} from '../deploy.js';
import type { Session } from '../session.js';
import type { DeployPlan, DeploySource } from './deploy-plan.js';

export interface DeployResult {
  service: string;
  /** Why nothing was deployed. */
  skipped?: string;
  deploymentId?: string;
  executionArn?: string;
  /** When followed to the end. */
  outcome?: DeploymentOutcome;
}

export interface DeployProgress {
  started(service: string, started: StartedDeployment, source: DeploySource): void;
  step(service: string, step: StepTiming): void;
  finished(service: string, outcome: DeploymentOutcome): void;
  skipped(service: string, reason: string): void;
}

/** How often to read an execution's history: often locally; on AWS, well within Step Functions' rate. */
export const followPollMs = (session: Session): number => (session.where.target === 'aws' ? 1000 : 300);

export function pipelineEntry(session: Session, service: string): PipelineEntry {
  return {
    service,
    sourceBucket: session.resources.sourceBucket,
    startFunction: session.resources.startFunction,
  };
}

/** Starts one deployment as every trigger does: through the start-deployment function. */
export function startOne(
  session: Session,
  service: string,
  what: DeploySource | { kind: 'revision'; taskDefinition: string },
): Promise<StartedDeployment> {
  const entry = pipelineEntry(session, service);
  const requester = cliRequester();
  if (what.kind === 'source') return startFromSource(session.clients, entry, what.dir, requester);
  const request: DeployWhat =
    what.kind === 'revision'
      ? { taskDefinition: what.taskDefinition }
      : 'imageDigest' in what
        ? { imageDigest: what.imageDigest }
        : { imageTag: (what as { imageTag: string }).imageTag };
  return startDeployment(session.clients, entry, request, requester);
}

/**
 * Deploys the plans in order. Waiting, each is followed to its end and a
 * failure stops the rest (a later service may depend on it); not waiting,
 * each is started and its id reported.
 */
export async function runDeploys(
  session: Session,
  plans: DeployPlan[],
  wait: boolean,
  progress: DeployProgress,
): Promise<DeployResult[]> {
  const results: DeployResult[] = [];
  for (const { service, source } of plans) {
    if (source.kind === 'skip') {
      progress.skipped(service.name, source.reason);
      results.push({ service: service.name, skipped: source.reason });
      continue;
    }
    const started = await startOne(session, service.name, source);
    progress.started(service.name, started, source);
    if (!wait) {
      results.push({ service: service.name, ...started });
      continue;
    }
    const outcome = await follow(
      session.clients,
      started.executionArn,
      (s) => progress.step(service.name, s),
      followPollMs(session),
    );
    progress.finished(service.name, outcome);
    results.push({ service: service.name, ...started, outcome });
    if (outcome.status !== 'SUCCEEDED') break;
  }
  return results;
}
