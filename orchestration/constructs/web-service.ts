import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepshipConfig } from '../config.js';

/**
 * The image the service starts with, before stepship's first deployment: a
 * Node LTS image from ECR Public running a one-line server that answers the
 * health check (on HOST when set, as the local cloud sets it). Its container carries the `stepship.bootstrap` label, which
 * tells register-task-definition to drop the stand-in command.
 */
export const BOOTSTRAP_IMAGE = 'public.ecr.aws/docker/library/node:24-alpine';
export const BOOTSTRAP_COMMAND = [
  'node',
  '-e',
  "require('http').createServer((q,s)=>s.end('stepship: waiting for the first deployment\\n')).listen(process.env.PORT||3000,process.env.HOST)",
];

export interface WebServiceProps {
  config: StepshipConfig;
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  repository: ecr.IRepository;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  listener: elbv2.ApplicationListener;
  logRetention: logs.RetentionDays;
}

/**
 * The Fargate service behind the load balancer: its task definition and roles,
 * its target group (type ip, tuned health checks and draining) and a security
 * group that admits only the load balancer, on the container port.
 */
export class WebService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const c = props.config;

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `${c.serviceName} tasks: list DynamoDB tables, nothing else`,
    });
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:ListTables'], resources: ['*'] }),
    );
    Validations.of(this.taskRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListTables does not support resource-level permissions; it is the only action granted.',
    });

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `${c.serviceName} task execution: pull from its repository, write its logs`,
    });
    props.repository.grantPull(this.executionRole);
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken does not support resource-level permissions; pulls are limited to the repository.',
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: c.serviceName,
      cpu: c.cpu,
      memoryLimitMiB: c.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.of(c.cpuArchitecture),
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    this.taskDefinition.addContainer(c.containerName, {
      image: ecs.ContainerImage.fromRegistry(BOOTSTRAP_IMAGE),
      command: BOOTSTRAP_COMMAND,
      dockerLabels: { 'stepship.bootstrap': 'true' },
      portMappings: [{ containerPort: c.containerPort, name: 'http' }],
      environment: { PORT: String(c.containerPort), AWS_REGION: Stack.of(this).region },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: c.serviceName, logGroup }),
      stopTimeout: Duration.seconds(c.stopTimeoutSeconds),
      readonlyRootFilesystem: true,
      essential: true,
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only PORT and AWS_REGION, no secrets; secrets would go through Secrets Manager.',
    });

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: `${c.serviceName} tasks: only the load balancer, on the container port`,
      allowAllOutbound: true,
    });
    for (const albGroup of props.loadBalancer.connections.securityGroups) {
      serviceSecurityGroup.addIngressRule(
        albGroup,
        ec2.Port.tcp(c.containerPort),
        'From the load balancer only',
      );
    }

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: c.serviceName,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: c.desiredCount,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSecurityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(c.healthCheckGracePeriodSeconds),
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: c.containerPort,
      deregistrationDelay: Duration.seconds(c.deregistrationDelaySeconds),
      healthCheck: {
        path: c.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(c.healthCheckIntervalSeconds),
        timeout: Duration.seconds(c.healthCheckTimeoutSeconds),
        healthyThresholdCount: c.healthyThresholdCount,
        unhealthyThresholdCount: c.unhealthyThresholdCount,
      },
      targets: [
        this.service.loadBalancerTarget({ containerName: c.containerName, containerPort: c.containerPort }),
      ],
    });
    props.listener.addTargetGroups('Service', { targetGroups: [this.targetGroup] });
  }
}
