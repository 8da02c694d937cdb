/**
 * The app as stepship deploys it: what `stepship.yml` describes, validated,
 * with every default filled in and every reference resolved. The manifest
 * loader produces it; the CDK stacks, the CLI and the local cloud read it.
 * Nothing here depends on CDK or on the local cloud.
 */

export interface AppModel {
  /**
   * The app's name: stack names, resource names and the state machine derive from it.
   * A lowercase letter, then lowercase letters, digits and single hyphens (≤ 32): valid in ECR repository names too.
   */
  name: string;
  /** The folder holding stepship.yml; every relative path in the manifest is resolved against it. */
  root: string;
  /** The manifest file, for messages (absolute when read by loadManifest). */
  file: string;
  region: string;
  /** In `dependsOn` order: a service comes after those it depends on (ties keep the manifest's order). */
  services: ServiceModel[];
  /** Tables stepship creates, and existing ones the app uses (by name). */
  tables: TableModel[];
  network: NetworkModel;
  /** HTTPS on the user's domain (issue: infrastructure variants); absent: HTTP on the ALB's own name. */
  domain?: DomainModel;
  deployment: DeploymentSettings;
  /** Log retention of every log group stepship creates, in days (one of CloudWatch's values). */
  logRetentionDays: number;
}

export interface NetworkModel {
  /** `private`: tasks in private subnets behind NAT (the default); `public`: no NAT, tasks with public IPs. */
  mode: 'private' | 'public';
  natGateways: number;
}

/**
 * HTTPS on the user's domain: an ACM certificate validated by DNS in the
 * hosted zone and an alias record to the load balancer. The zone is named by
 * its id (and name) so that synthesis needs no lookup and no credentials.
 */
export interface DomainModel {
  name: string;
  hostedZoneId: string;
  /** The zone's domain: the name itself or a parent of it. */
  hostedZoneName: string;
}

/** How the pipeline runs a deployment, for every service. */
export interface DeploymentSettings {
  rolloutTimeoutSeconds: number;
  /** Platforms CodeBuild builds for (`linux/amd64`, `linux/arm64`). */
  buildPlatforms: string[];
  /** An EventBridge rule sends these of the app's deployment events to the topic. */
  notifications?: { snsTopicArn: string; on: NotifiedEvent[] };
}

export type NotifiedEvent = 'queued' | 'started' | 'succeeded' | 'failed' | 'rolled-back' | 'superseded';

export interface ServiceModel {
  /**
   * Unique in the app: a lowercase letter, then lowercase letters, digits and single hyphens (≤ 32).
   * Also the ECS service's and container's name; lowercase so that it is a valid ECR repository name too.
   */
  name: string;
  image: ImageSource;
  /** The container port the app listens on. */
  port: number;
  routing: RoutingModel;
  healthCheck: HealthCheckModel;
  /**
   * The tasks the service runs. With scaling, the count a new service starts
   * from (scaling.min): the template then leaves the count to autoscaling.
   */
  desiredCount: number;
  /** Autoscaling of the task count; absent: a fixed desiredCount. */
  scaling?: ScalingModel;
  /** What the tasks run on. */
  capacity: CapacityModel;
  /** Fargate CPU units (256 … 16384) and memory in MiB, a valid Fargate pair. */
  cpu: number;
  memory: number;
  architecture: 'X86_64' | 'ARM64';
  /** Plain environment variables (never secrets). */
  environment: Record<string, string>;
  /** Environment variables filled from SSM Parameter Store or Secrets Manager by ECS at start (ECS `secrets`). */
  secrets: SecretModel[];
  /** What the task role may do with the app's tables. */
  tableAccess: TableAccessModel[];
  /** Services deployed before this one when the whole app deploys. */
  dependsOn: string[];
  verify: VerifyModel;
  /** Seconds a deregistered target keeps draining, and a stopping container gets before SIGKILL. */
  deregistrationDelaySeconds: number;
  stopTimeoutSeconds: number;
}

/** Application Auto Scaling of the service's task count, by target tracking. */
export interface ScalingModel {
  min: number;
  max: number;
  /** Targets to track; at least one is set. */
  cpuPercent?: number;
  memoryPercent?: number;
  /** ALBRequestCountPerTarget: requests per task per minute. */
  requestsPerTarget?: number;
  scaleInCooldownSeconds: number;
  scaleOutCooldownSeconds: number;
}

/**
 * `fargate` with no providers: the FARGATE launch type (the default).
 * `fargate` with providers: a capacity provider strategy over FARGATE and FARGATE_SPOT.
 * `ec2`: an Auto Scaling group of ECS-optimized instances and its capacity
 * provider; tasks in bridge mode with dynamic host ports behind an instance target group.
 */
export type CapacityModel =
  | { kind: 'fargate'; providers: FargateProviderModel[] }
  | { kind: 'ec2'; instanceType: string; minInstances: number; maxInstances: number };

export interface FargateProviderModel {
  provider: 'FARGATE' | 'FARGATE_SPOT';
  weight: number;
  base: number;
}

export type ImageSource =
  | {
      kind: 'build';
      /** Absolute path of the build context. */
      context: string;
      /** Path of the Dockerfile relative to the context. */
      dockerfile: string;
      /** Build arguments; values may reference the app's outputs (see BuildArgValue). */
      args: Record<string, BuildArgValue>;
    }
  | {
      kind: 'image';
      /** An existing image: `repository:tag` or `repository@sha256:…` (any registry the tasks can pull from). */
      reference: string;
    };

/** A literal, or text with `${loadBalancer.dnsName}` / `${loadBalancer.url}` references resolved at build time. */
export interface BuildArgValue {
  template: string;
  /** The references the template uses, e.g. ['loadBalancer.url']. */
  references: AppOutputReference[];
}

export type AppOutputReference = 'loadBalancer.dnsName' | 'loadBalancer.url';

export interface RoutingModel {
  /** The ALB listener's default action forwards here (at most one service is the default). */
  isDefault: boolean;
  /** Path patterns of the listener rule (ALB wildcards `*` and `?`); empty for a default-only service. */
  paths: string[];
  /**
   * The listener rule's priority (1–50000, unique in the app); assigned 10, 20, 30… in manifest order when
   * not given, skipping given ones. 0 when `paths` is empty: a default-only service has no rule.
   */
  priority: number;
}

export interface HealthCheckModel {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP codes counted healthy: `200`, `200-299`, `200,302`. */
  matcher: string;
  gracePeriodSeconds: number;
}

export interface SecretModel {
  /** The environment variable the container sees. */
  name: string;
  source: 'ssm' | 'secretsmanager';
  /** SSM: the parameter name (`/app/db-password`) or ARN; Secrets Manager: the secret's ARN or name, optionally `:json-key::`. */
  reference: string;
}

export interface TableAccessModel {
  /** The table's name in the app (a key of `tables`). */
  table: string;
  read: boolean;
  write: boolean;
  /** dynamodb:ListTables (it has no resource-level permission). */
  list: boolean;
}

export interface TableModel {
  /** The name in the manifest; also the DynamoDB table name unless `physicalName` differs. */
  name: string;
  physicalName: string;
  /** False: an existing table stepship only grants access to. */
  create: boolean;
  partitionKey: KeyModel;
  sortKey?: KeyModel;
}

export interface KeyModel {
  name: string;
  type: 'S' | 'N' | 'B';
}

/**
 * What verification checks after a rollout, through the load balancer. Only
 * routes the app declares are requested; stepship adds none of its own.
 */
export interface VerifyModel {
  checks: HttpCheckModel[];
  /** A route whose JSON answer names the task that served it, for the "several distinct new tasks answer" check. */
  identity?: IdentityModel;
}

export interface HttpCheckModel {
  path: string;
  /** Expected status code (default 200; the default check expects the health-check matcher's first code). */
  status: number;
  /**
   * Expectations on the JSON answer, by dotted field path: a literal the value
   * must equal, or `{ contains: x }` for an array that must include x.
   * The string `${table:<name>}` stands for that table's physical name.
   */
  json: Record<string, JsonExpectation>;
}

export type JsonExpectation = string | number | boolean | null | { contains: string | number };

export interface IdentityModel {
  path: string;
  /** Dotted path of the JSON field holding the task's private IP or task ARN. */
  field: string;
  kind: 'ip' | 'arn';
  /** Optional dotted path of a field holding the image digest, checked against the deployed one. */
  imageField?: string;
}
