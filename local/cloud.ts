import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { keyedConsole } from './console/console-key.js';
import { CONSOLE_BASE } from './console/paths.js';
import { WebConsole } from './console/web-console.js';
import { parseArn } from './core/arns.js';
import type { Scope } from './core/scope.js';
import type { RegionalStores } from './core/stores.js';
import { LOCAL_CREDENTIALS } from './credentials.js';
import { dockerUnavailableReason } from './docker/docker-cli.js';
import { endpointHandler } from './http/endpoint.js';
import { loopbackHosts } from './http/guard.js';
import type { JsonService } from './http/json-protocol.js';
import { SignatureCheck } from './http/signature-check.js';
import { Iam } from './iam/provider.js';
import { RequestScreen } from './iam/request-screen.js';
import { ImageStore } from './images/image-store.js';
import { readAssembly } from './provision/cloud-assembly.js';
import { type ProvisionedResource, type ProvisionResult, provision } from './provision/provisioner.js';

export {
  notEmulatedLines,
  notEmulatedSummary,
  type ProvisionedResource,
} from './provision/provisioner.js';

import { ActivityLog } from './runtime/activity.js';
import { IpAllocator } from './runtime/ip-allocator.js';
import { Lifeline } from './runtime/lifeline.js';
import { MetadataServer } from './runtime/metadata-server.js';
import { TaskNetwork } from './runtime/task-network.js';
import { Acm } from './services/acm/provider.js';
import { isInvokeRequest } from './services/apigatewayv2/invoke-url.js';
import { ApiGatewayV2 } from './services/apigatewayv2/provider.js';
import { ecsResources } from './services/application-autoscaling/ecs-resources.js';
import { ApplicationAutoScaling } from './services/application-autoscaling/provider.js';
import type { TargetTrackingOptions } from './services/application-autoscaling/target-tracking.js';
import { CloudFormation } from './services/cloudformation/provider.js';
import { CodeBuild } from './services/codebuild/provider.js';
import { dynamodbPassThrough } from './services/dynamodb/pass-through.js';
import { Ecr } from './services/ecr/provider.js';
import { DEFAULT_UPLOAD_LIMITS, Registry } from './services/ecr/registry.js';
import { RegistryTokens } from './services/ecr/registry-tokens.js';
import { Ecs } from './services/ecs/provider.js';
import { interruptSpotTask } from './services/ecs/spot-interruption.js';
import { TaskLauncher } from './services/ecs/task-launcher.js';
import { Elbv2 } from './services/elbv2/provider.js';
import { Events } from './services/events/provider.js';
import { targetInvoker } from './services/events/targets.js';
import { Lambda } from './services/lambda/provider.js';
import { Logs } from './services/logs/provider.js';
import { S3 } from './services/s3/provider.js';
import { SecretsManager } from './services/secretsmanager/provider.js';
import { StepFunctions } from './services/sfn/provider.js';
import { Ssm } from './services/ssm/provider.js';
import { DurableStores, savingAfterWrites } from './state/durable-stores.js';
import { type Recovered, recoverInterruptedDeployments } from './state/interrupted-deployments.js';
import { ownCredentials, privateStateDir, stateKey } from './state/own-credentials.js';
import { claimStateDir } from './state/state-lock.js';
import { isAwsHostname } from './tls/aws-hostnames.js';
import { localCa } from './tls/local-ca.js';

export interface LocalCloudOptions {
  host?: string;
  /** The AWS endpoint's port (0 picks a free one). */
  endpointPort?: number;
  /** The load balancer listener's port (0 picks a free one). */
  loadBalancerPort?: number;
  region?: string;
  accountId?: string;
  /**
   * Where state lives between runs: images, ECR's repositories, DynamoDB's
   * tables (the deployment records among them), SSM parameters and secrets.
   * One local cloud at a time keeps a directory's state; another started on
   * it meanwhile keeps its own in memory.
   */
  stateDir?: string;
  /**
   * How tasks run and images are built: `process` (the embedded default, no
   * Docker) or `docker` (a reachable Docker engine: builds with the buildspec,
   * pushes to the local registry, runs tasks as containers).
   */
  runtime?: 'process' | 'docker';
  /** The most log events one CloudWatch Logs stream keeps (the oldest go first). */
  logEventsPerStream?: number;
  /**
   * For shared machines: every request must be signed (SigV4) with the
   * credentials generated into the state directory (`credentials.json`,
   * mode 0600) or a role's issued here, and the registry API takes only
   * ECR's tokens (`docker login` with `aws ecr get-login-password`).
   */
  strict?: boolean;
  /** Target tracking's period and alarm lengths (AWS's: a minute, 3 periods out, 15 in); tests shorten them. */
  scaling?: Partial<TargetTrackingOptions>;
}

/** A strict cloud's credentials, read from its state directory (for clients in other processes). */
export { keptCredentials } from './state/own-credentials.js';
export { LOCAL_CREDENTIALS };

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A port is taken: says which, and how to choose another. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly hint: string,
  ) {
    super(`Port ${port} (${what}) is already in use on 127.0.0.1. ${hint}`);
    this.name = 'PortInUseError';
  }
}

async function listen(
  server: Server,
  port: number,
  host: string,
  what: string,
  hint: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what, hint) : err),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The local cloud: one AWS endpoint on loopback serving ECS, ECR, CodeBuild,
 * ELBv2, EventBridge, Step Functions, Lambda, CloudWatch Logs, S3 (sources)
 * and DynamoDB (dynalite); a load balancer listener; tasks as local
 * processes. Provisioned from a CDK cloud assembly.
 */
export class LocalCloud {
  readonly region: string;
  readonly accountId: string;
  /** The account and region of requests that name none, and of what provisioning creates. */
  readonly scope: Scope;
  /** The credentials clients of this cloud sign with (any work unless it runs in strict mode). */
  credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS;
  /** Whether every request must be signed with `credentials` (or a role's keys this cloud issued). */
  strict = false;
  readonly activity = new ActivityLog();
  endpointUrl = '';
  loadBalancerUrl = '';
  /** The read-only deployment console, for a browser on this machine. */
  consoleUrl = '';
  private readonly closers: (() => Promise<unknown>)[] = [];
  /** What must close after everything else has (the state that requests in flight still use). */
  private readonly lastClosers: (() => Promise<unknown>)[] = [];
  /** Whether this cloud keeps its state in the state directory (else another running cloud does). */
  durableState = false;
  /** Deployments an earlier cloud's end interrupted, marked FAILED at start, and the locks released. */
  recovered: Recovered = { failed: [], released: [] };
  /** `host:port` values the endpoint answers to (a request naming any other host is refused). */
  readonly allowedHosts = new Set<string>();

  logs!: Logs;
  events!: Events;
  lambda!: Lambda;
  s3!: S3;
  ecr!: Ecr;
  images!: ImageStore;
  codebuild!: CodeBuild;
  elbv2!: Elbv2;
  ecs!: Ecs;
  autoscaling!: ApplicationAutoScaling;
  sfn!: StepFunctions;
  dynamodb!: DynamoDBClient;
  apigatewayv2!: ApiGatewayV2;
  readonly cloudformation = new CloudFormation();
  readonly acm = new Acm();
  /** The local CA's certificate (PEM file), which HTTPS listeners' certificates chain to. */
  caCertPath = '';
  readonly ssm = new Ssm();
  readonly secretsManager = new SecretsManager();
  /** The templates' roles and policies, enforced on requests signed with a role's credentials (local/iam). */
  iam!: Iam;
  /** How tasks reach the endpoint (also under AWS's host names, over TLS) and are reached. */
  taskNetwork!: TaskNetwork;

  private constructor(private readonly options: Required<LocalCloudOptions>) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.scope = { accountId: options.accountId, region: options.region };
  }

  static async start(options: LocalCloudOptions = {}): Promise<LocalCloud> {
    const cloud = new LocalCloud({
      host: options.host ?? '127.0.0.1',
      endpointPort: options.endpointPort ?? 4566,
      loadBalancerPort: options.loadBalancerPort ?? 8080,
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      stateDir: options.stateDir ?? join(PROJECT_ROOT, '.stepship'),
      runtime: options.runtime ?? 'process',
      logEventsPerStream: options.logEventsPerStream ?? 10_000,
      strict: options.strict ?? false,
      scaling: options.scaling ?? {},
    });
    try {
      await cloud.boot();
    } catch (err) {
      await cloud.stop();
      throw err;
    }
    return cloud;
  }

  private async boot(): Promise<void> {
    const o = this.options;
    if (o.runtime === 'docker') {
      const reason = await dockerUnavailableReason();
      if (reason)
        throw new Error(
          `The docker runtime was chosen, but ${reason}. Start dockerd, or use the default process runtime.`,
        );
    }
    // First: nothing this cloud starts may outlive it, and what a dead earlier one left goes now.
    const lifeline = await Lifeline.start({ stateDir: o.stateDir, docker: o.runtime === 'docker' });
    this.closers.push(async () => lifeline.close());
    const claim = claimStateDir(o.stateDir);
    this.lastClosers.push(async () => claim.release());
    this.durableState = claim.durable;
    if (o.strict) {
      this.strict = true;
      privateStateDir(o.stateDir);
      this.credentials = ownCredentials(o.stateDir);
    }
    const db = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(claim.durable ? { path: join(o.stateDir, 'dynamodb') } : {}),
    });
    // dynalite closes its database only through its server's close, so the server listens (on a private socket).
    const dbSocket = join(
      tmpdir(),
      `stepship-dynamodb-${process.pid}-${randomBytes(4).toString('hex')}.sock`,
    );
    await new Promise<void>((resolve, reject) => {
      db.once('error', reject);
      db.listen(dbSocket, () => resolve());
    });
    const dynamodbRequests = dynamodbPassThrough(db);
    this.lastClosers.unshift(async () => {
      await dynamodbRequests.quiesce();
      await new Promise((resolve) => db.close(() => resolve(undefined)));
    });
    this.logs = new Logs({ maxEventsPerStream: o.logEventsPerStream });
    this.lambda = new Lambda(this.logs);
    this.closers.push(() => this.lambda.stop());
    this.events = new Events(targetInvoker({ lambda: this.lambda, sfn: () => this.sfn, logs: this.logs }));
    this.s3 = new S3();
    this.images = new ImageStore(o.stateDir);
    this.iam = new Iam({ stateDir: o.stateDir });

    // Listen first: the services need the endpoint's address (a port of 0 picks one).
    const endpoint = createServer();
    const endpointPort = await listen(
      endpoint,
      o.endpointPort,
      o.host,
      'the local cloud endpoint',
      'Choose another with --endpoint-port N (or STEPSHIP_ENDPOINT_PORT).',
    );
    this.closers.push(() => closeServer(endpoint));
    this.endpointUrl = `http://${o.host}:${endpointPort}`;
    for (const host of loopbackHosts(endpointPort)) this.allowedHosts.add(host);
    const ca = localCa(o.stateDir);
    this.caCertPath = ca.certPath;
    const taskNetwork = await TaskNetwork.start({
      host: o.host,
      endpointUrl: this.endpointUrl,
      region: this.region,
      ca,
      containers: o.runtime === 'docker',
      lifeline,
    });
    this.taskNetwork = taskNetwork;
    this.closers.push(() => taskNetwork.close());
    // Containers reach the endpoint on their network's gateway.
    if (taskNetwork.containerEndpointHost) this.allowedHosts.add(taskNetwork.containerEndpointHost);
    // The console reads through the endpoint's own APIs, as any client of the local cloud would.
    const webConsole = new WebConsole({
      endpoint: this.endpointUrl,
      region: this.region,
      credentials: this.credentials,
    });
    this.closers.push(async () => webConsole.close());
    // In strict mode the console's URL carries its key (a browser can't sign its requests).
    const consoleKey = o.strict ? stateKey(o.stateDir, 'console').toString('hex') : undefined;
    this.consoleUrl = `${this.endpointUrl}${CONSOLE_BASE}/${consoleKey ? `?key=${consoleKey}` : ''}`;

    this.apigatewayv2 = new ApiGatewayV2({
      lambda: this.lambda,
      logs: this.logs,
      iam: this.iam,
      // Strict mode: an invoke URL verifies the cloud's own key too, and refuses keys it never issued.
      ...(o.strict
        ? { keys: { secretOf: (id) => this.secretOf(id), strictOwnKey: this.credentials.accessKeyId } }
        : {}),
      endpointUrl: this.endpointUrl,
    });
    // Registry passwords outlive a restart (as `docker login` does), so their key is kept.
    const registryTokens = new RegistryTokens(stateKey(o.stateDir, 'registry-token'));
    this.ecr = new Ecr({
      images: this.images,
      bus: this.events,
      proxyEndpoint: this.endpointUrl,
      tokens: registryTokens,
    });
    if (claim.durable) this.ecr.keepIn(join(o.stateDir, 'state', 'ecr.snapshot'));
    this.codebuild = new CodeBuild({
      logs: this.logs,
      s3: this.s3,
      ecr: this.ecr,
      images: this.images,
      nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      ...(o.runtime === 'docker'
        ? { docker: { endpointUrl: this.endpointUrl, credentials: this.credentials } }
        : {}),
    });
    // The listener port is reserved now, so a taken port is reported before anything else starts.
    const probe = createServer();
    const lbPort = await listen(
      probe,
      o.loadBalancerPort,
      o.host,
      'the local load balancer',
      'Choose another with --lb-port N (or STEPSHIP_LB_PORT).',
    );
    await closeServer(probe);
    this.elbv2 = new Elbv2({
      host: o.host,
      firstPort: lbPort,
      activity: this.activity,
      certificates: { ca, namesOf: (arn, scope) => this.acm.namesOf(arn, scope) },
    });
    this.closers.push(() => this.elbv2.stop());
    this.loadBalancerUrl = `http://${o.host}:${lbPort}`;

    let ecs: Ecs | undefined;
    const metadata = new MetadataServer((taskId) => ecs?.metadataFor(taskId));
    await metadata.listen(o.host);
    if (taskNetwork.containerGateway) await metadata.listen(taskNetwork.containerGateway);
    this.closers.push(() => metadata.close());
    const launcher = new TaskLauncher({
      network: taskNetwork,
      ecr: this.ecr,
      images: this.images,
      logs: this.logs,
      elbv2: this.elbv2,
      metadata,
      ips: new IpAllocator(),
      activity: this.activity,
      // A task without a task role gets the local cloud's own credentials.
      credentials: (role, taskId) => (role ? this.iam.credentialsFor(role, taskId) : this.credentials),
      runtime: o.runtime,
      lifeline,
      secrets: (valueFrom, scope) =>
        parseArn(valueFrom)?.service === 'secretsmanager'
          ? this.secretsManager.valueOf(valueFrom, scope)
          : this.ssm.valueOf(valueFrom, scope),
    });
    ecs = new Ecs(launcher, this.elbv2);
    this.ecs = ecs;
    ecs.scheduler.stateEvents.publishTo((scope, event) => this.events.publish(scope, event));
    ecs.scheduler.start();
    this.closers.unshift(() => ecs.scheduler.stop());
    const autoscaling = new ApplicationAutoScaling(ecsResources(ecs, this.elbv2), o.scaling);
    this.autoscaling = autoscaling;
    autoscaling.tracking.start();
    this.closers.unshift(async () => autoscaling.tracking.stop());
    this.sfn = new StepFunctions({
      lambda: this.lambda,
      codebuild: this.codebuild,
      logs: this.logs,
      publish: (scope, event) => this.events.publish(scope, event),
    });
    this.closers.unshift(async () => this.sfn.stop());

    const services = [
      this.ecs.api,
      this.autoscaling.api,
      this.ecr.api,
      this.codebuild.api,
      this.events.api,
      this.logs.api,
      this.sfn.api,
      claim.durable ? kept(this.ssm, join(o.stateDir, 'state', 'ssm.snapshot')) : this.ssm.api,
      claim.durable
        ? kept(this.secretsManager, join(o.stateDir, 'state', 'secretsmanager.snapshot'))
        : this.secretsManager.api,
    ];
    const handler = endpointHandler({
      defaults: this.scope,
      // Tasks reach the endpoint under AWS's own names too (over TLS); pages can't make those resolve here.
      guard: {
        isAllowedHost: (host) => this.allowedHosts.has(host) || isAwsHostname(host.replace(/:\d+$/, '')),
        authorizesItself: isInvokeRequest,
      },
      json: services,
      query: { elasticloadbalancing: this.elbv2.api, cloudformation: this.cloudformation.api },
      rest: { lambda: this.lambda.rest, s3: this.s3.rest, apigateway: this.apigatewayv2.rest },
      executeApi: { claims: isInvokeRequest, handle: this.apigatewayv2.invoke },
      registry: new Registry(this.images, this.ecr, DEFAULT_UPLOAD_LIMITS, Date.now, {
        tokens: registryTokens,
        required: o.strict,
        realm: this.endpointUrl,
      }).handle,
      passThrough: { dynamodb: dynamodbRequests },
      console: consoleKey ? keyedConsole(webConsole.handle, consoleKey) : webConsole.handle,
      iam: new RequestScreen(this.iam),
      ...(o.strict ? { signatures: new SignatureCheck((id) => this.secretOf(id)) } : {}),
    });
    endpoint.on('request', handler);
    taskNetwork.serve(handler);

    this.dynamodb = new DynamoDBClient({
      endpoint: this.endpointUrl,
      region: this.region,
      credentials: this.credentials,
    });
    this.closers.push(async () => this.dynamodb.destroy());
    if (claim.durable) this.recovered = await recoverInterruptedDeployments(this.dynamodb);
  }

  /** The secret of a key this cloud issued: its own, or a role session's. */
  private secretOf(accessKeyId: string): string | undefined {
    if (accessKeyId === this.credentials.accessKeyId) return this.credentials.secretAccessKey;
    return this.iam.secretOf(accessKeyId);
  }

  /** Provisions everything the synthesized templates in `assemblyDir` describe. */
  async provision(
    assemblyDir: string,
    onResource?: (r: ProvisionedResource) => void,
  ): Promise<ProvisionResult> {
    const result = await provision(
      readAssembly(assemblyDir),
      {
        region: this.region,
        accountId: this.accountId,
        scope: this.scope,
        assemblyDir,
        endpointUrl: this.endpointUrl,
        credentials: this.credentials,
        caCertPath: this.caCertPath,
        services: {
          acm: this.acm,
          autoscaling: this.autoscaling,
          ecr: this.ecr,
          ecs: this.ecs,
          elbv2: this.elbv2,
          dynamodb: this.dynamodb,
          codebuild: this.codebuild,
          lambda: this.lambda,
          sfn: this.sfn,
          events: this.events,
          s3: this.s3,
          logs: this.logs,
          iam: this.iam,
          apigatewayv2: this.apigatewayv2,
        },
      },
      onResource,
    );
    for (const stack of result.stacks) this.cloudformation.record(this.scope, stack);
    return result;
  }

  /**
   * Local-only control: AWS reclaims a Fargate Spot task's capacity. The task
   * drains from its target groups, gets SIGTERM, and SIGKILL once
   * `warningSeconds` (120 on AWS) have passed; it stops with stopCode
   * SpotInterruption and its service replaces it. Resolves once it stopped.
   */
  interruptSpotTask(taskArn: string, warningSeconds?: number): Promise<void> {
    return interruptSpotTask(this.ecs, this.scope, taskArn, warningSeconds);
  }

  /** Stops every task (SIGTERM, then SIGKILL), function worker and server it started. */
  async stop(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
    for (const close of this.lastClosers.splice(0)) await close().catch(() => undefined);
  }
}

/** A service changed only through its API, with its stores kept in `path` between runs. */
function kept<S>(service: { stores: RegionalStores<S>; api: JsonService }, path: string): JsonService {
  const durable = new DurableStores(service.stores, path);
  return savingAfterWrites(service.api, () => durable.save());
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
