import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntilServicesStable } from '@aws-sdk/client-ecs';
import {
  LocalCloud,
  type LocalCloudOptions,
  notEmulatedLines,
  notEmulatedSummary,
  type ProvisionedResource,
} from '../local/cloud.js';
import type { AppModel } from '../manifest/model.js';
import { stackNames } from '../orchestration/app.js';
import { defaultLambdaBundleCache } from '../orchestration/lambda-bundle-cache.js';
import { synthesize } from '../orchestration/synthesize.js';
import { type DeploymentOutcome, follow, type PipelineEntry, startFromSource } from './deploy.js';
import { type LocalClients, localClients } from './local-clients.js';
import { quietly } from './quietly.js';

export interface StartOptions {
  /** The app to deploy, as its manifest describes it. */
  app: AppModel;
  /** Where to synthesize (cdk.out) and keep local state (.stepship). */
  assemblyDir: string;
  stateDir: string;
  /** `process` (default) or `docker`: see LocalCloudOptions.runtime. */
  runtime?: 'process' | 'docker';
  endpointPort: number;
  loadBalancerPort: number;
  /** Clear local state (.stepship, cdk.out) first. */
  reset: boolean;
  /** Seconds between rollout checks (tests and benchmarks shorten it). */
  rolloutHeartbeatSeconds?: number;
  /** Strict mode: requests must be signed with the credentials the cloud keeps in its state folder. */
  strict?: boolean;
  /** Each resource type recorded without being run, with why, rather than one line for them all. */
  verbose?: boolean;
  /** Target tracking's period and alarm lengths (tests shorten them; AWS's by default). */
  scaling?: LocalCloudOptions['scaling'];
  out: (line: string) => void;
}

export interface Running {
  cloud: LocalCloud;
  clients: LocalClients;
  app: AppModel;
  /** Each service's deployment, in the order they ran (dependsOn first); a failure stops the rest. */
  outcomes: ServiceOutcome[];
  /** The first service's deployment (the demo's only one). */
  outcome: DeploymentOutcome;
  /** What a further deployment from source needs, per service. */
  entries: Record<string, PipelineEntry>;
  /** The first service's entry. */
  target: PipelineEntry;
  /** The names the synthesized stacks gave what the hints refer to. */
  names: DeployedNames;
  /** Resolved stack outputs, `<stack>.<output>` → value. */
  outputs: Record<string, string>;
}

export interface ServiceOutcome {
  service: string;
  outcome: DeploymentOutcome;
}

export interface DeployedNames {
  cluster: string;
  /** The app's services, in deploy order. */
  services: string[];
  stateMachineArn: string;
  /** The pipeline's HTTP API (POST /deployments, GET /deployments/{id}), at its local invoke URL. */
  apiUrl: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The main job: start the local cloud, synthesize the app from its manifest,
 * provision, bring every service up, and deploy each one from its build
 * context through the state machine, in dependsOn order.
 */
export async function startLocal(options: StartOptions): Promise<Running> {
  const { out, stateDir, assemblyDir, app: model } = options;
  checkRuntime(model, options.runtime ?? 'process');
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
    strict: options.strict ?? false,
    ...(options.scaling ? { scaling: options.scaling } : {}),
  });
  try {
    out(`✓ local cloud listening on ${cloud.endpointUrl} ${seconds(Date.now() - t)}`);
    t = Date.now();
    const stacks = stackNames(model.name);
    quietly(() =>
      synthesize({
        outdir: assemblyDir,
        app: model,
        rolloutHeartbeatSeconds: options.rolloutHeartbeatSeconds,
        // Locally the bundles come from the user's cache when stepship's functions haven't changed (~10 s a start).
        lambdaBundleCache: defaultLambdaBundleCache() ?? '',
      }),
    );
    out(`✓ synthesized ${stacks.app} and ${stacks.pipeline} (cdk-nag clean) ${seconds(Date.now() - t)}`);
    t = Date.now();
    const provisioned = await cloud.provision(assemblyDir);
    const created = provisioned.resources.filter((r) => !r.recordOnly).length;
    out(
      `✓ provisioned ${created} resources from the templates (${provisioned.resources.length - created} recorded only) ${seconds(Date.now() - t)}`,
    );
    for (const line of notEmulatedReport(provisioned.resources, options.verbose ?? false)) out(`  · ${line}`);

    const output = (stack: string, name: string) => provisioned.outputs[`${stack}.${name}`] ?? '';
    const cluster = output(stacks.app, 'ClusterName');
    const services = model.services.map((s) => s.name);
    const clients = localClients(cloud.endpointUrl, cloud.region, cloud.credentials);
    t = Date.now();
    await waitUntilServicesStable(
      // The bootstrap tasks start in well under a second locally: poll often, give up after two minutes.
      { client: clients.ecs, maxWaitTime: 120, minDelay: 0.25, maxDelay: 1 },
      { cluster, services },
    );
    out(
      `✓ ${services.length === 1 ? `service ${services[0]}` : `services ${services.join(', ')}`} running at their desired count (bootstrap image) ${seconds(Date.now() - t)}`,
    );

    const entries = Object.fromEntries(
      services.map((service) => [
        service,
        {
          service,
          sourceBucket: output(stacks.pipeline, 'SourceBucketName'),
          startFunction: output(stacks.pipeline, 'StartDeploymentFunctionName'),
        },
      ]),
    );
    const outcomes: ServiceOutcome[] = [];
    for (const service of model.services) {
      const entry = entries[service.name] as PipelineEntry;
      if (service.image.kind !== 'build') {
        out(`· ${service.name} runs an existing image (${service.image.reference}): nothing to build`);
        continue;
      }
      out(
        `→ deploying ${service.name} (${relativeContext(model.root, service.image.context)}) through the state machine`,
      );
      const started = await startFromSource(clients, entry, service.image.context, 'stepship-cli');
      const outcome = await follow(clients, started.executionArn, (s) =>
        out(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
      );
      outcomes.push({ service: service.name, outcome });
      if (outcome.status === 'SUCCEEDED')
        out(`✓ ${service.name}: deployment ${outcome.deploymentId} SUCCEEDED in ${seconds(outcome.totalMs)}`);
      else {
        out(
          `✗ ${service.name}: deployment ${outcome.deploymentId} ${outcome.status}: ${outcome.error}: ${outcome.cause}`,
        );
        const rest = model.services.slice(model.services.indexOf(service) + 1).map((s) => s.name);
        if (rest.length > 0) out(`· not deployed, since ${service.name} failed: ${rest.join(', ')}`);
        break;
      }
    }
    const first = outcomes[0]?.outcome;
    if (!first) throw new Error(`The app ${model.name} has no service built from source to deploy`);
    const names = {
      cluster,
      services,
      stateMachineArn: output(stacks.pipeline, 'StateMachineArn'),
      apiUrl: output(stacks.pipeline, 'ApiUrl'),
    };
    return {
      cloud,
      clients,
      app: model,
      outcomes,
      outcome: first,
      entries,
      target: entries[services[0] ?? ''] as PipelineEntry,
      names,
      outputs: provisioned.outputs,
    };
  } catch (err) {
    await cloud.stop();
    throw err;
  }
}

/**
 * What the local cloud only recorded: by default one line, since an app's
 * networking, DNS and instances alone make a dozen types; each type with why
 * under --verbose.
 */
export function notEmulatedReport(resources: ProvisionedResource[], verbose: boolean): string[] {
  if (verbose) return notEmulatedLines(resources);
  const summary = notEmulatedSummary(resources);
  return summary ? [`${summary}: \`stepship start --verbose\` lists them`] : [];
}

/** A service the chosen runtime can't build, named before anything starts. */
export class RuntimeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeMismatchError';
  }
}

/**
 * Without Docker, only Node apps build and run (as local processes): say so
 * at once, rather than after the cloud has started and the build has failed.
 */
export function checkRuntime(app: AppModel, runtime: 'process' | 'docker'): void {
  if (runtime === 'docker') return;
  const notNode = app.services.filter(
    (s) => s.image.kind === 'build' && !existsSync(join(s.image.context, 'package.json')),
  );
  if (notNode.length > 0)
    throw new RuntimeMismatchError(
      `${notNode.map((s) => s.name).join(', ')} ${notNode.length === 1 ? 'is' : 'are'} not a Node app (no package.json in the build context): the Docker-free runtime runs Node apps only. Start with --runtime docker (a Docker engine builds the Dockerfile and runs it as a container).`,
    );
}

/** Every service's deployment succeeded. */
export function allSucceeded(running: Running): boolean {
  const built = running.app.services.filter((s) => s.image.kind === 'build').length;
  return running.outcomes.length === built && running.outcomes.every((o) => o.outcome.status === 'SUCCEEDED');
}

function relativeContext(root: string, context: string): string {
  const relative = context.startsWith(root) ? context.slice(root.length).replace(/^\//, '') : context;
  return relative === '' ? './' : `./${relative}`;
}

export function describeEndpoints(cloud: LocalCloud, stateDir: string, names: DeployedNames): string[] {
  const strict = cloud.strict;
  const credentialsFile = join(stateDir, 'credentials.json');
  return [
    '',
    `  The app:          ${cloud.loadBalancerUrl}/`,
    `  Console:          ${cloud.consoleUrl}  (services, deployments, executions; read-only)`,
    `  AWS endpoint:     ${cloud.endpointUrl}  (region ${cloud.region}, account ${cloud.accountId}, ${strict ? `strict: signed with the keys in ${credentialsFile}` : 'any credentials'})`,
    `  API:              ${names.apiUrl}  (POST /deployments, GET /deployments/{id}; SigV4 for execute-api)`,
    '',
    '  Inspect it with the AWS CLI, e.g.:',
    strict
      ? // The secret stays in its 0600 file: the hint reads it rather than printing it.
        `    export AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=$(node -p "require('${credentialsFile}').accessKeyId") AWS_SECRET_ACCESS_KEY=$(node -p "require('${credentialsFile}').secretAccessKey")`
      : `    export AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    `    alias awsl='aws --endpoint-url ${cloud.endpointUrl}'`,
    `    awsl ecs describe-services --cluster ${names.cluster} --services ${names.services.join(' ')}`,
    '    awsl elbv2 describe-target-health --target-group-arn "$(awsl elbv2 describe-target-groups --query TargetGroups[0].TargetGroupArn --output text)"',
    `    awsl stepfunctions list-executions --state-machine-arn ${names.stateMachineArn}`,
    '    awsl dynamodb list-tables',
    '',
    `  Local state: ${stateDir} (--reset clears it)`,
  ];
}
