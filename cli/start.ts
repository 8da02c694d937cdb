import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { LocalCloud } from '../local/cloud.js';
import { synthesize } from '../orchestration/synthesize.js';
import { type DeploymentOutcome, follow, startFromSource } from './deploy.js';
import { localClients } from './local-clients.js';

export interface StartOptions {
  projectRoot: string;
  endpointPort: number;
  loadBalancerPort: number;
  /** Run one deployment and return instead of serving. */
  once: boolean;
  /** Clear local state (.stepship, cdk.out) first. */
  reset: boolean;
  out: (line: string) => void;
}

export interface Running {
  cloud: LocalCloud;
  outcome: DeploymentOutcome;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The main job: synthesize, start the local cloud, provision, bring the service up, deploy, verify. */
export async function startLocal(options: StartOptions): Promise<Running> {
  const { out } = options;
  const stateDir = join(options.projectRoot, '.stepship');
  const assemblyDir = join(options.projectRoot, 'cdk.out');
  if (options.reset) {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(assemblyDir, { recursive: true, force: true });
    out('✓ cleared local state (.stepship, cdk.out)');
  }

  let t = Date.now();
  const app = synthesize({ outdir: assemblyDir });
  out(
    `✓ synthesized ${app.service.stackName} and ${app.pipeline.stackName} (cdk-nag clean) ${seconds(Date.now() - t)}`,
  );

  t = Date.now();
  const cloud = await LocalCloud.start({
    endpointPort: options.endpointPort,
    loadBalancerPort: options.loadBalancerPort,
    stateDir,
  });
  try {
    out(`✓ local cloud listening on ${cloud.endpointUrl} ${seconds(Date.now() - t)}`);
    t = Date.now();
    const provisioned = await cloud.provision(assemblyDir);
    const created = provisioned.resources.filter((r) => !r.recordOnly).length;
    out(
      `✓ provisioned ${created} resources from the templates (${provisioned.resources.length - created} recorded only) ${seconds(Date.now() - t)}`,
    );

    const output = (stack: string, name: string) => provisioned.outputs[`${stack}.${name}`] ?? '';
    const service = output(app.service.stackName, 'ServiceName');
    const cluster = output(app.service.stackName, 'ClusterName');
    const clients = localClients(cloud.endpointUrl, cloud.region);
    t = Date.now();
    await waitForSteadyState(clients, cluster, service);
    out(`✓ service ${service} running at its desired count (bootstrap image) ${seconds(Date.now() - t)}`);

    out('→ deploying service/ through the state machine');
    const started = await startFromSource(
      clients,
      {
        service,
        sourceBucket: output(app.pipeline.stackName, 'SourceBucketName'),
        startFunction: output(app.pipeline.stackName, 'StartDeploymentFunctionName'),
      },
      join(options.projectRoot, 'service'),
      'stepship-cli',
    );
    const outcome = await follow(clients, started.executionArn, (s) =>
      out(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
    );
    if (outcome.status === 'SUCCEEDED')
      out(`✓ deployment ${outcome.deploymentId} SUCCEEDED in ${seconds(outcome.totalMs)}`);
    else out(`✗ deployment ${outcome.deploymentId} ${outcome.status}: ${outcome.error}: ${outcome.cause}`);
    return { cloud, outcome };
  } catch (err) {
    await cloud.stop();
    throw err;
  }
}

async function waitForSteadyState(
  clients: ReturnType<typeof localClients>,
  cluster: string,
  service: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const primary = out.services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState === 'COMPLETED') return;
    await sleep(250);
  }
  throw new Error(`Service ${service} did not reach its desired count within ${timeoutMs / 1000} s`);
}

export function describeEndpoints(cloud: LocalCloud, projectRoot: string): string[] {
  return [
    '',
    `  The app:          ${cloud.loadBalancerUrl}/`,
    `  AWS endpoint:     ${cloud.endpointUrl}  (region ${cloud.region}, account ${cloud.accountId}, any credentials)`,
    '',
    '  Inspect it with the AWS CLI, e.g.:',
    `    export AWS_ENDPOINT_URL=${cloud.endpointUrl} AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    '    aws ecs describe-services --cluster stepship-web --services web',
    '    aws elbv2 describe-target-health --target-group-arn "$(aws elbv2 describe-target-groups --query TargetGroups[0].TargetGroupArn --output text)"',
    '    aws stepfunctions list-executions --state-machine-arn arn:aws:states:us-east-1:000000000000:stateMachine:stepship-web-deploy',
    '    aws dynamodb list-tables',
    '',
    `  Local state: ${join(projectRoot, '.stepship')} (npm start -- --reset clears it)`,
  ];
}

export function hasAssembly(projectRoot: string): boolean {
  return existsSync(join(projectRoot, 'cdk.out', 'manifest.json'));
}
