import { rmSync } from 'node:fs';
import { waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { LocalCloud } from '@stepship/local-cloud';
import { synthesize } from '../orchestration/synthesize.js';
import { type DeploymentOutcome, follow, type PipelineEntry, startFromSource } from './deploy.js';
import { type LocalClients, localClients } from './local-clients.js';

export interface StartOptions {
  /** The service folder to deploy. */
  serviceDir: string;
  /** Where to synthesize (cdk.out) and keep local state (.stepship). */
  assemblyDir: string;
  stateDir: string;
  /** `process` (default) or `docker`: see LocalCloudOptions.runtime. */
  runtime?: 'process' | 'docker';
  /** Configuration overrides (STEPSHIP_* variables) for the synthesized app. */
  env?: NodeJS.ProcessEnv;
  endpointPort: number;
  loadBalancerPort: number;
  /** Clear local state (.stepship, cdk.out) first. */
  reset: boolean;
  out: (line: string) => void;
}

export interface Running {
  cloud: LocalCloud;
  outcome: DeploymentOutcome;
  clients: LocalClients;
  /** What a further deployment from source needs. */
  target: PipelineEntry;
  /** The names the synthesized stacks gave what the hints refer to. */
  names: DeployedNames;
  /** Resolved stack outputs, `<stack>.<output>` → value. */
  outputs: Record<string, string>;
}

export interface DeployedNames {
  cluster: string;
  service: string;
  stateMachineArn: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The main job: synthesize, start the local cloud, provision, bring the service up, deploy, verify. */
export async function startLocal(options: StartOptions): Promise<Running> {
  const { out, stateDir, assemblyDir } = options;
  if (options.reset) {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(assemblyDir, { recursive: true, force: true });
    out('✓ cleared local state (.stepship, cdk.out)');
  }

  // The cloud starts first, so a taken port is reported before any slow work.
  let t = Date.now();
  const cloud = await LocalCloud.start({
    endpointPort: options.endpointPort,
    loadBalancerPort: options.loadBalancerPort,
    stateDir,
    runtime: options.runtime,
  });
  try {
    out(`✓ local cloud listening on ${cloud.endpointUrl} ${seconds(Date.now() - t)}`);
    t = Date.now();
    const app = quietly(() => synthesize({ outdir: assemblyDir, env: options.env }));
    out(
      `✓ synthesized ${app.service.stackName} and ${app.pipeline.stackName} (cdk-nag clean) ${seconds(Date.now() - t)}`,
    );
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
    await waitUntilServicesStable(
      // The bootstrap tasks start in well under a second locally: poll often, give up after two minutes.
      { client: clients.ecs, maxWaitTime: 120, minDelay: 0.25, maxDelay: 1 },
      { cluster, services: [service] },
    );
    out(`✓ service ${service} running at its desired count (bootstrap image) ${seconds(Date.now() - t)}`);

    out('→ deploying service/ through the state machine');
    const target: PipelineEntry = {
      service,
      sourceBucket: output(app.pipeline.stackName, 'SourceBucketName'),
      startFunction: output(app.pipeline.stackName, 'StartDeploymentFunctionName'),
    };
    const started = await startFromSource(clients, target, options.serviceDir, 'stepship-cli');
    const outcome = await follow(clients, started.executionArn, (s) =>
      out(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
    );
    if (outcome.status === 'SUCCEEDED')
      out(`✓ deployment ${outcome.deploymentId} SUCCEEDED in ${seconds(outcome.totalMs)}`);
    else out(`✗ deployment ${outcome.deploymentId} ${outcome.status}: ${outcome.error}: ${outcome.cause}`);
    const names = { cluster, service, stateMachineArn: output(app.pipeline.stackName, 'StateMachineArn') };
    return { cloud, outcome, clients, target, names, outputs: provisioned.outputs };
  } catch (err) {
    await cloud.stop();
    throw err;
  }
}

/** Runs `work` with CDK's bundling chatter held back; shown only if it fails. */
function quietly<T>(work: () => T): T {
  const write = process.stderr.write.bind(process.stderr);
  let held = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    held += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return work();
  } catch (err) {
    write(held);
    throw err;
  } finally {
    process.stderr.write = write;
  }
}

export function describeEndpoints(cloud: LocalCloud, stateDir: string, names: DeployedNames): string[] {
  return [
    '',
    `  The app:          ${cloud.loadBalancerUrl}/`,
    `  AWS endpoint:     ${cloud.endpointUrl}  (region ${cloud.region}, account ${cloud.accountId}, any credentials)`,
    '',
    '  Inspect it with the AWS CLI, e.g.:',
    `    export AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    `    alias awsl='aws --endpoint-url ${cloud.endpointUrl}'`,
    `    awsl ecs describe-services --cluster ${names.cluster} --services ${names.service}`,
    '    awsl elbv2 describe-target-health --target-group-arn "$(awsl elbv2 describe-target-groups --query TargetGroups[0].TargetGroupArn --output text)"',
    `    awsl stepfunctions list-executions --state-machine-arn ${names.stateMachineArn}`,
    '    awsl dynamodb list-tables',
    '',
    `  Local state: ${stateDir} (npm start -- --reset clears it)`,
  ];
}
