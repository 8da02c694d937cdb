import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { CONSOLE_BASE } from './console/paths.js';
import { WebConsole } from './console/web-console.js';
import type { Scope } from './core/scope.js';
import { dockerUnavailableReason } from './docker/docker-cli.js';
import { endpointHandler } from './http/endpoint.js';
import { loopbackHosts } from './http/guard.js';
import { ImageStore } from './images/image-store.js';
import { readAssembly } from './provision/cloud-assembly.js';
import { type ProvisionedResource, type ProvisionResult, provision } from './provision/provisioner.js';
import { ActivityLog } from './runtime/activity.js';
import { IpAllocator } from './runtime/ip-allocator.js';
import { MetadataServer } from './runtime/metadata-server.js';
import { CodeBuildService } from './services/codebuild.js';
import { EcrService } from './services/ecr.js';
import { Ecs } from './services/ecs/provider.js';
import { TaskLauncher } from './services/ecs/task-launcher.js';
import { Elbv2 } from './services/elbv2/provider.js';
import { EventBus } from './services/events.js';
import { LambdaService } from './services/lambda.js';
import { LogsService } from './services/logs.js';
import { RegistryService } from './services/registry.js';
import { S3Service } from './services/s3.js';
import { SecretsManager } from './services/secretsmanager/provider.js';
import { StepFunctionsService } from './services/sfn/sfn.js';
import { Ssm } from './services/ssm/provider.js';

export interface LocalCloudOptions {
  host?: string;
  /** The AWS endpoint's port (0 picks a free one). */
  endpointPort?: number;
  /** The load balancer listener's port (0 picks a free one). */
  loadBalancerPort?: number;
  region?: string;
  accountId?: string;
  /** Where images live between runs. */
  stateDir?: string;
  /**
   * How tasks run and images are built: `process` (the embedded default, no
   * Docker) or `docker` (a reachable Docker engine: builds with the buildspec,
   * pushes to the local registry, runs tasks as containers).
   */
  runtime?: 'process' | 'docker';
}

export const LOCAL_CREDENTIALS = {
  accessKeyId: 'stepship-local',
  secretAccessKey: 'stepship-local',
} as const;
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
  readonly activity = new ActivityLog();
  endpointUrl = '';
  loadBalancerUrl = '';
  /** The read-only deployment console, for a browser on this machine. */
  consoleUrl = '';
  private readonly closers: (() => Promise<unknown>)[] = [];
  /** `host:port` values the endpoint answers to (a request naming any other host is refused). */
  readonly allowedHosts = new Set<string>();

  logs!: LogsService;
  events!: EventBus;
  lambda!: LambdaService;
  s3!: S3Service;
  ecr!: EcrService;
  images!: ImageStore;
  codebuild!: CodeBuildService;
  elbv2!: Elbv2;
  ecs!: Ecs;
  sfn!: StepFunctionsService;
  dynamodb!: DynamoDBClient;
  readonly ssm = new Ssm();
  readonly secretsManager = new SecretsManager();

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
    const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    this.logs = new LogsService(this.region, this.accountId);
    this.lambda = new LambdaService(this.logs);
    this.closers.push(() => this.lambda.stop());
    this.events = new EventBus(this.region, this.accountId, async (arn, event) => {
      await this.lambda.invoke(arn, event);
    });
    this.s3 = new S3Service();
    this.images = new ImageStore(o.stateDir);

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
    // The console reads through the endpoint's own APIs, as any client of the local cloud would.
    const webConsole = new WebConsole({
      endpoint: this.endpointUrl,
      region: this.region,
      credentials: LOCAL_CREDENTIALS,
    });
    this.closers.push(async () => webConsole.close());
    this.consoleUrl = `${this.endpointUrl}${CONSOLE_BASE}/`;

    this.ecr = new EcrService(this.region, this.accountId, this.images, this.events, this.endpointUrl);
    this.codebuild = new CodeBuildService(this.region, this.accountId, {
      logs: this.logs,
      s3: this.s3,
      ecr: this.ecr,
      images: this.images,
      nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      ...(o.runtime === 'docker'
        ? { docker: { endpointUrl: this.endpointUrl, credentials: LOCAL_CREDENTIALS } }
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
    this.elbv2 = new Elbv2({ host: o.host, firstPort: lbPort, activity: this.activity });
    this.closers.push(() => this.elbv2.stop());
    this.loadBalancerUrl = `http://${o.host}:${lbPort}`;

    let ecs: Ecs | undefined;
    const metadata = new MetadataServer((taskId) => ecs?.metadataFor(taskId));
    await metadata.listen(o.host);
    this.closers.push(() => metadata.close());
    const launcher = new TaskLauncher({
      endpointUrl: this.endpointUrl,
      ecr: this.ecr,
      images: this.images,
      logs: this.logs,
      elbv2: this.elbv2,
      metadata,
      ips: new IpAllocator(),
      activity: this.activity,
      credentials: LOCAL_CREDENTIALS,
      runtime: o.runtime,
    });
    ecs = new Ecs(launcher, this.elbv2);
    this.ecs = ecs;
    ecs.scheduler.start();
    this.closers.unshift(() => ecs.scheduler.stop());
    this.sfn = new StepFunctionsService(this.region, this.accountId, {
      lambda: this.lambda,
      codebuild: this.codebuild,
      logs: this.logs,
    });

    const services = [
      this.ecs.api,
      this.ecr.api,
      this.codebuild.api,
      this.events.api,
      this.logs.api,
      this.sfn.api,
      this.ssm.api,
      this.secretsManager.api,
    ];
    endpoint.on(
      'request',
      endpointHandler({
        defaults: this.scope,
        guard: { isAllowedHost: (host) => this.allowedHosts.has(host) },
        json: services,
        query: { elasticloadbalancing: this.elbv2.api },
        rest: { lambda: this.lambda.rest, s3: this.s3.rest },
        registry: new RegistryService(this.images, this.ecr).handle,
        console: webConsole.handle,
        passThrough: { dynamodb: (req, res) => db.emit('request', req, res) },
      }),
    );

    this.dynamodb = new DynamoDBClient({
      endpoint: this.endpointUrl,
      region: this.region,
      credentials: LOCAL_CREDENTIALS,
    });
    this.closers.push(async () => this.dynamodb.destroy());
  }

  /** Provisions everything the synthesized templates in `assemblyDir` describe. */
  async provision(
    assemblyDir: string,
    onResource?: (r: ProvisionedResource) => void,
  ): Promise<ProvisionResult> {
    return provision(
      readAssembly(assemblyDir),
      {
        region: this.region,
        accountId: this.accountId,
        scope: this.scope,
        assemblyDir,
        endpointUrl: this.endpointUrl,
        credentials: LOCAL_CREDENTIALS,
        services: {
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
        },
      },
      onResource,
    );
  }

  /** Stops every task (SIGTERM, then SIGKILL), function worker and server it started. */
  async stop(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
