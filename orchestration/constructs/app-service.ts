import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ServiceModel } from '../../manifest/model.js';
import type { AppLoadBalancer } from './app-load-balancer.js';
import type { AppNetwork } from './app-network.js';
import { capacityProviderAssociation } from './capacity-association.js';
import { ServiceInstances } from './service-instances.js';

/**
 * The image every service starts with, before stepship's first deployment: a
 * Node LTS image from ECR Public running a one-line server that answers any
 * path with 200 (so whatever the health-check path, the service becomes
 * stable), on HOST when set as the local cloud sets it. The
 * `stepship.bootstrap` label tells register-task-definition to drop the
 * stand-in command when the first real image replaces it.
 */
export const BOOTSTRAP_IMAGE = 'public.ecr.aws/docker/library/node:24-alpine';
export const BOOTSTRAP_COMMAND = [
  'node',
  '-e',
  "require('http').createServer((q,s)=>s.end('stepship: waiting for the first deployment\\n')).listen(process.env.PORT||3000,process.env.HOST)",
];
export const BOOTSTRAP_LABEL = 'stepship.bootstrap';

export interface AppServiceProps {
  app: string;
  service: ServiceModel;
  network: AppNetwork;
  cluster: ecs.Cluster;
  loadBalancer: AppLoadBalancer;
  /** The app as users reach it (`${loadBalancer.url}`): https://<domain>, or http://<load balancer>. */
  appUrl: string;
  /** The app's tables by their manifest name. */
  tables: ReadonlyMap<string, dynamodb.ITable>;
  logRetention: logs.RetentionDays;
}

/**
 * One service of the app: its image repository, task and execution roles
 * (least privilege: the tables it declares, the secrets it declares, its own
 * repository and log group), its task definition (read-only root filesystem
 * with a writable /tmp), the ECS service (rolling, circuit breaker with
 * rollback), its target group and its place on the shared listener.
 *
 * On Fargate (the FARGATE launch type, or a strategy over FARGATE and
 * FARGATE_SPOT) each task has its own IP and a security group admitting only
 * the load balancer on its port. On EC2 capacity the tasks run in bridge mode
 * on the service's own instances with dynamic host ports, behind an instance
 * target group. With scaling the service declares no task count: CloudFormation
 * creates it with one task, the scalable target raises it to the minimum, and
 * no later update or deployment resets what autoscaling chose.
 */
export class AppService extends Construct {
  readonly model: ServiceModel;
  readonly repository: ecr.Repository;
  readonly service: ecs.FargateService | ecs.Ec2Service;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The tasks' security group on Fargate; the instances' on EC2 capacity. */
  readonly securityGroup: ec2.SecurityGroup;
  /** EC2 capacity: the service's instances and their capacity provider. */
  readonly instances?: ServiceInstances;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const s = props.service;
    this.model = s;

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: `${props.app}/${s.name}`.toLowerCase(),
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: 'Untagged images (superseded pushes) after 7 days',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(7),
        },
      ],
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `${props.app}/${s.name} tasks: the tables it declares, nothing else`,
    });
    this.grantTables(props.tables);

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `${props.app}/${s.name} task execution: pull its image, write its logs, read its secrets`,
    });
    this.repository.grantPull(this.executionRole);
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken does not support resource-level permissions; pulls are limited to the repository.',
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const label = `${props.app}/${s.name}`;
    const capacity = s.capacity;
    if (capacity.kind === 'ec2') {
      this.instances = new ServiceInstances(this, 'Capacity', {
        label,
        capacity,
        network: props.network,
        cluster: props.cluster,
        loadBalancerGroups: props.loadBalancer.loadBalancer.connections.securityGroups,
      });
    }
    const family = `${props.app}-${s.name}`;
    const common = {
      family,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      volumes: [{ name: 'tmp' }],
    };
    this.taskDefinition = this.instances
      ? new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { ...common, networkMode: ecs.NetworkMode.BRIDGE })
      : new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
          ...common,
          cpu: s.cpu,
          memoryLimitMiB: s.memory,
          runtimePlatform: {
            cpuArchitecture: ecs.CpuArchitecture.of(s.architecture),
            operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
          },
        });
    const container = this.taskDefinition.addContainer(s.name, {
      image: ecs.ContainerImage.fromRegistry(BOOTSTRAP_IMAGE),
      command: BOOTSTRAP_COMMAND,
      dockerLabels: { [BOOTSTRAP_LABEL]: 'true' },
      // Bridge mode: host port 0 asks ECS for a free ephemeral port, so several tasks share an instance.
      portMappings: [{ containerPort: s.port, name: 'http', ...(this.instances ? { hostPort: 0 } : {}) }],
      // EC2 task definitions size the container, not the task.
      ...(this.instances ? { cpu: s.cpu, memoryLimitMiB: s.memory } : {}),
      environment: {
        ...resolveOutputs(s.environment, props.appUrl, props.loadBalancer.loadBalancer.loadBalancerDnsName),
        ...this.tableEnvironment(props.tables),
        PORT: String(s.port),
        AWS_REGION: Stack.of(this).region,
      },
      secrets: this.secrets(),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: s.name, logGroup }),
      stopTimeout: Duration.seconds(s.stopTimeoutSeconds),
      readonlyRootFilesystem: true,
      essential: true,
    });
    // The root filesystem is read-only; /tmp is the one writable place, as many apps expect one.
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        "The environment holds only the plain settings the manifest declares; secrets go through the task definition's secrets (SSM, Secrets Manager), never the environment.",
    });

    const serviceProps = {
      serviceName: s.name,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      // Left out with scaling: a template that pins it would reset the scaled count on every update.
      desiredCount: s.scaling ? undefined : s.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(s.healthCheck.gracePeriodSeconds),
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    };
    if (this.instances) {
      this.securityGroup = this.instances.securityGroup;
      this.service = new ecs.Ec2Service(this, 'Service', {
        ...serviceProps,
        capacityProviderStrategies: [
          { capacityProvider: this.instances.capacityProvider.capacityProviderName, weight: 1 },
        ],
        placementStrategies: [ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE)],
      });
    } else {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.network.vpc,
        description: `${label} tasks: only the load balancer, on the container port`,
        allowAllOutbound: true,
      });
      for (const albGroup of props.loadBalancer.loadBalancer.connections.securityGroups) {
        this.securityGroup.addIngressRule(albGroup, ec2.Port.tcp(s.port), 'From the load balancer only');
      }
      const providers = capacity.kind === 'fargate' ? capacity.providers : [];
      this.service = new ecs.FargateService(this, 'Service', {
        ...serviceProps,
        assignPublicIp: props.network.assignPublicIp,
        vpcSubnets: props.network.taskSubnets,
        securityGroups: [this.securityGroup],
        ...(providers.length > 0
          ? {
              capacityProviderStrategies: providers.map((p) => ({
                capacityProvider: p.provider,
                weight: p.weight,
                base: p.base,
              })),
            }
          : {}),
      });
    }

    const usesProviders =
      this.instances !== undefined || (capacity.kind === 'fargate' && capacity.providers.length > 0);
    if (usesProviders) this.service.node.addDependency(capacityProviderAssociation(props.cluster));

    const hc = s.healthCheck;
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.network.vpc,
      targetType: this.instances ? elbv2.TargetType.INSTANCE : elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: s.port,
      deregistrationDelay: Duration.seconds(s.deregistrationDelaySeconds),
      healthCheck: {
        path: hc.path,
        healthyHttpCodes: hc.matcher,
        interval: Duration.seconds(hc.intervalSeconds),
        timeout: Duration.seconds(hc.timeoutSeconds),
        healthyThresholdCount: hc.healthyThreshold,
        unhealthyThresholdCount: hc.unhealthyThreshold,
        // Each task's own dynamic host port (AWS's default, spelt out: cfn-lint requires it with host port 0).
        ...(this.instances ? { port: 'traffic-port' } : {}),
      },
      targets: [this.service.loadBalancerTarget({ containerName: s.name, containerPort: s.port })],
    });
    if (s.routing.paths.length > 0) {
      props.loadBalancer.listener.addTargetGroups(`${id}Rule`, {
        targetGroups: [this.targetGroup],
        priority: s.routing.priority,
        conditions: [elbv2.ListenerCondition.pathPatterns(s.routing.paths)],
      });
    }
  }

  /** Each table the service uses, by name: `TABLE_ORDERS=<physical name>` for a table `orders`. */
  private tableEnvironment(tables: ReadonlyMap<string, dynamodb.ITable>): Record<string, string> {
    return Object.fromEntries(
      this.model.tableAccess.map((a) => [tableVariable(a.table), tables.get(a.table)?.tableName ?? a.table]),
    );
  }

  /** Read, write and list, as the manifest grants them per table. */
  private grantTables(tables: ReadonlyMap<string, dynamodb.ITable>): void {
    let lists = false;
    for (const access of this.model.tableAccess) {
      const table = tables.get(access.table);
      if (!table)
        throw new Error(`Service ${this.model.name} uses table ${access.table}, which the app lacks`);
      if (access.read) table.grantReadData(this.taskRole);
      if (access.write) table.grantWriteData(this.taskRole);
      lists ||= access.list;
    }
    if (lists) {
      this.taskRole.addToPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:ListTables'], resources: ['*'] }),
      );
      Validations.of(this.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'dynamodb:ListTables does not support resource-level permissions; the manifest asks for it.',
      });
    }
  }

  /** The manifest's secrets as ECS secrets (the execution role may read exactly those). */
  private secrets(): Record<string, ecs.Secret> {
    const out: Record<string, ecs.Secret> = {};
    for (const secret of this.model.secrets) {
      const id = `Secret${secret.name}`;
      if (secret.source === 'ssm') {
        const parameter = secret.reference.startsWith('arn:')
          ? ssm.StringParameter.fromSecureStringParameterAttributes(this, id, {
              parameterName: secret.reference.split(':parameter').pop() ?? secret.reference,
            })
          : ssm.StringParameter.fromSecureStringParameterAttributes(this, id, {
              parameterName: secret.reference,
            });
        out[secret.name] = ecs.Secret.fromSsmParameter(parameter);
      } else {
        const [nameOrArn, jsonKey] = splitJsonKey(secret.reference);
        const source = nameOrArn.startsWith('arn:')
          ? secretsmanager.Secret.fromSecretCompleteArn(this, id, nameOrArn)
          : secretsmanager.Secret.fromSecretNameV2(this, id, nameOrArn);
        out[secret.name] = ecs.Secret.fromSecretsManager(source, jsonKey);
      }
    }
    return out;
  }
}

/**
 * Environment values may name the app's own outputs (`${loadBalancer.url}`,
 * `${loadBalancer.dnsName}`), e.g. a frontend calling its backend through the
 * shared load balancer; they become CloudFormation references.
 */
const OUTPUT_REF = (name: string) => `\${${name}}`;

function resolveOutputs(
  environment: Record<string, string>,
  appUrl: string,
  dnsName: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      value
        .replaceAll(OUTPUT_REF('loadBalancer.url'), appUrl)
        .replaceAll(OUTPUT_REF('loadBalancer.dnsName'), dnsName),
    ]),
  );
}

/** The environment variable naming a table's physical name: `order-items` → `TABLE_ORDER_ITEMS`. */
export function tableVariable(table: string): string {
  return `TABLE_${table.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** `name-or-arn:json-key` → the secret and its JSON key; an ARN's own colons are kept. */
function splitJsonKey(reference: string): [string, string | undefined] {
  const arn = /^(arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:[^:]+)(?::([^:]*))?/.exec(reference);
  if (arn) return [arn[1] ?? reference, arn[2] || undefined];
  const [name = reference, key] = reference.split(':');
  return [name, key || undefined];
}
