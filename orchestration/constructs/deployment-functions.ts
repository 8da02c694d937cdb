import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/contract/environment.js';
import { STEPSHIP_SOURCE } from '../../functions/contract/events.js';
import { STEP, type StepName } from '../../functions/contract/states.js';
import { acknowledge, arnPattern, arnRef } from '../nag.js';
import type { WorkflowFunctions } from './deployment-state-machine.js';
import { type FunctionNetwork, NodeFunction } from './node-function.js';
import type { PipelineTarget } from './pipeline-target.js';

export interface DeploymentFunctionsProps {
  targets: PipelineTarget[];
  recordsTable: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  lockTtlSeconds: number;
  rolloutTimeoutSeconds: number;
  /**
   * The state machine's ARN, built from its name rather than referenced:
   * the steps that start the next waiting deployment are themselves states
   * of that machine, and a reference would make a dependency cycle.
   */
  stateMachineName: string;
  /** Where stepship's deployment events go. */
  eventBus: events.IEventBus;
}

/**
 * The workflow's Lambda steps, each with exactly the permissions its logic
 * uses, on the listed services only. Where an action has no resource-level
 * permissions in IAM, the acknowledgement says so.
 */
export class DeploymentFunctions extends Construct {
  readonly steps: WorkflowFunctions;
  /** The verify step's security group, which every target service's tasks admit on their port; none outside a VPC. */
  readonly verifySecurityGroup?: ec2.SecurityGroup;
  /** Records what no Catch could (timeouts, aborts) from Step Functions' status events; not a state. */
  readonly recordOutcome: NodeFunction;
  readonly stateMachineArn: string;
  /** Not a step: EventBridge invokes it with ECS's events, and it resumes the waiting executions. */
  readonly rolloutEvents: NodeFunction;
  private readonly props: DeploymentFunctionsProps;

  constructor(scope: Construct, id: string, props: DeploymentFunctionsProps) {
    super(scope, id);
    this.props = props;
    this.stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const targets = props.targets;
    const records = { [ENV.recordsTable]: props.recordsTable.tableName };

    const prepare = this.fn(STEP.prepare, 'Resolve the target, take the lock, record STARTED', {
      ...records,
      [ENV.lockTtlSeconds]: String(props.lockTtlSeconds),
      [ENV.eventBusName]: props.eventBus.eventBusName,
    });
    this.describeService(prepare);
    // A rollback names a revision, which Prepare checks before taking the lock.
    prepare.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
    );
    Validations.of(prepare.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:DescribeTaskDefinition and X-Ray trace writes do not support resource-level permissions.',
    });
    // DeleteItem: a Prepare that finds its deployment already ended (stopped meanwhile) frees the lock it took.
    this.records(prepare, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]);
    this.emitsEvents(prepare);

    const resolveImage = this.fn(STEP.resolveImage, 'ECR tag → digest', {});
    resolveImage.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:DescribeImages'],
        resources: targets.map((t) => t.repository.repositoryArn),
      }),
    );

    const registerTaskDefinition = this.fn(
      STEP.registerTaskDefinition,
      'Clone the task definition with the new image',
      {},
    );
    this.describeService(registerTaskDefinition);
    this.taskDefinitions(registerTaskDefinition);

    const updateService = this.fn(STEP.updateService, 'Start the rolling deployment', {});
    this.updateService(updateService);

    const rolloutJudging = { [ENV.rolloutTimeoutSeconds]: String(props.rolloutTimeoutSeconds) };
    const checkRollout = this.fn(STEP.checkRollout, 'Judge this deployment by its id', rolloutJudging);
    this.describeService(checkRollout);
    this.tasks(checkRollout);

    const awaitRollout = this.fn(
      STEP.awaitRollout,
      'Store the rollout wait’s task token, then judge the deployment once',
      { ...records, ...rolloutJudging },
    );
    this.judgeAndResume(
      awaitRollout,
      ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      ['states:SendTaskSuccess', 'states:SendTaskFailure'],
    );
    this.rolloutEvents = this.fn(
      STEP.rolloutEvents,
      "Resume rollout waits on ECS's deployment and task events",
      { ...records, ...rolloutJudging },
    );
    this.judgeAndResume(
      this.rolloutEvents,
      ['dynamodb:Query', 'dynamodb:DeleteItem'],
      ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
    );

    const verifyTargets = this.fn(STEP.verifyTargets, "New tasks' IPs healthy in the target group", {});
    this.describeService(verifyTargets);
    this.tasks(verifyTargets);
    verifyTargets.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
    );
    Validations.of(verifyTargets.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'elasticloadbalancing:DescribeTargetHealth, ecs:ListTasks (conditioned on the clusters) and X-Ray trace writes do not support resource-level permissions.',
    });
    this.containerInstances(verifyTargets);

    const network = targets[0]?.network;
    this.verifySecurityGroup = network ? this.verifyNetwork(network.vpc) : undefined;
    const verifyChecks = this.fn(
      STEP.verifyChecks,
      network
        ? "The app's declared checks, through the ALB and at each new task"
        : "The app's declared checks, through the ALB",
      {},
      60,
      network && this.verifySecurityGroup
        ? { vpc: network.vpc, subnets: network.subnets, securityGroups: [this.verifySecurityGroup] }
        : undefined,
    );
    if (network) this.networkInterfaces(verifyChecks);

    const rollback = this.fn(STEP.rollback, 'Roll back to the last verified task definition', records);
    this.describeService(rollback);
    this.updateService(rollback);
    this.taskDefinitions(rollback);
    this.records(rollback, ['dynamodb:Query']);

    const finalize = this.fn(
      STEP.finalize,
      'Record SUCCEEDED with timings; release the lock; start the waiting deployment',
      this.turnsEnvironment(),
    );
    this.takesTurns(finalize);
    const recordFailure = this.fn(
      STEP.recordFailure,
      'Record the failure and its cause; release the lock; start the waiting deployment',
      this.turnsEnvironment(),
    );
    this.takesTurns(recordFailure);
    this.recordOutcome = this.fn(
      STEP.recordOutcome,
      "Record a timed-out or stopped execution's outcome; release its lock; start the waiting deployment",
      this.turnsEnvironment(),
    );
    this.takesTurns(this.recordOutcome);

    this.steps = {
      prepare: prepare.function,
      resolveImage: resolveImage.function,
      registerTaskDefinition: registerTaskDefinition.function,
      updateService: updateService.function,
      awaitRollout: awaitRollout.function,
      checkRollout: checkRollout.function,
      verifyTargets: verifyTargets.function,
      verifyChecks: verifyChecks.function,
      rollback: rollback.function,
      finalize: finalize.function,
      recordFailure: recordFailure.function,
    };
  }

  /** A stepship function; also used for the API's and the push rule's entry points. */
  fn(
    step: StepName,
    description: string,
    environment: Record<string, string>,
    timeoutSeconds = 30,
    network?: FunctionNetwork,
  ): NodeFunction {
    return new NodeFunction(this, pascal(step), {
      step,
      description: `stepship: ${description}`,
      environment,
      logRetention: this.props.logRetention,
      timeout: Duration.seconds(timeoutSeconds),
      network,
    });
  }

  /**
   * What a function that starts the waiting deployment needs to know: the
   * records table, the lock's expiry, the state machine, the event bus.
   */
  turnsEnvironment(): Record<string, string> {
    return {
      [ENV.recordsTable]: this.props.recordsTable.tableName,
      [ENV.lockTtlSeconds]: String(this.props.lockTtlSeconds),
      [ENV.stateMachineArn]: this.stateMachineArn,
      [ENV.eventBusName]: this.props.eventBus.eventBusName,
    };
  }

  /**
   * What it may do: read and write records, the lock and the queue slot;
   * start (and describe) this state machine's executions; emit events.
   */
  takesTurns(fn: NodeFunction): void {
    this.records(fn, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }),
    );
    const stack = Stack.of(this);
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${this.props.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledge(
      fn.role,
      [
        `AwsSolutions-IAM5[Resource::${arnPattern(this, 'states', `execution:${this.props.stateMachineName}:*`)}]`,
      ],
      "Execution names are chosen per deployment; access is limited to this state machine's executions.",
    );
    this.emitsEvents(fn);
  }

  /** PutEvents on the bus, and only with stepship's own source. */
  emitsEvents(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.props.eventBus.eventBusArn],
        conditions: { StringEquals: { 'events:source': STEPSHIP_SOURCE } },
      }),
    );
  }

  records(fn: NodeFunction, actions: string[]): void {
    const table = this.props.recordsTable;
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions, resources: [table.tableArn, `${table.tableArn}/index/*`] }),
    );
    acknowledge(
      fn.role,
      [`AwsSolutions-IAM5[Resource::${arnRef(table)}/index/*]`],
      "Queries a service's history through the records table's own index; nothing outside this table.",
    );
  }

  /**
   * A side of the rollout wait: judges deployments as CheckRollout does, keeps
   * the waiting tokens in the records table (the table itself, no index), and
   * answers Step Functions with them.
   */
  private judgeAndResume(fn: NodeFunction, tableActions: string[], callbacks: string[]): void {
    this.describeService(fn);
    this.tasks(fn);
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: tableActions, resources: [this.props.recordsTable.tableArn] }),
    );
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: callbacks, resources: ['*'] }));
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat have no resource-level permissions (a task token names the task); ecs:ListTasks (conditioned on the clusters) and X-Ray trace writes have none either.',
    });
  }

  /**
   * The verify step's own security group: out to the load balancer's
   * listeners (it calls the public URL, as users do) and to each service's
   * tasks on their port, which admit it there. Tasks in bridge mode sit
   * behind instance ports only the load balancer may reach: they are checked
   * through it alone.
   */
  private verifyNetwork(vpc: ec2.IVpc): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'VerifySecurityGroup', {
      vpc,
      description: 'stepship verify step: the load balancer and the services it checks',
      allowAllOutbound: false,
    });
    for (const port of [80, 443])
      group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'The load balancer, by its public name');
    for (const t of this.props.targets.filter((target) => target.networkMode === 'awsvpc')) {
      group.connections.allowTo(
        t.service,
        ec2.Port.tcp(t.containerPort),
        `stepship verify: ${t.serviceName} tasks`,
      );
    }
    return group;
  }

  /** What Lambda needs to attach a VPC function's network interfaces (none of it has resource-level permissions). */
  private networkInterfaces(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Lambda's VPC network-interface actions (those of AWSLambdaVPCAccessExecutionRole) and X-Ray trace writes do not support resource-level permissions.",
    });
  }

  private describeService(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: this.props.targets.map((t) => t.service.serviceArn),
      }),
    );
  }

  private updateService(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
        resources: this.props.targets.map((t) => t.service.serviceArn),
      }),
    );
  }

  /** ListTasks on the targets' clusters; DescribeTasks on those clusters' tasks. */
  private tasks(fn: NodeFunction): void {
    const clusters = unique(this.props.targets.map((t) => t.clusterName));
    const clusterArns = unique(this.props.targets.map((t) => t.cluster.clusterArn));
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': clusterArns } },
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: clusters.map((name) =>
          Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${name}/*` }),
        ),
        conditions: { ArnEquals: { 'ecs:cluster': clusterArns } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:ListTasks has no resource-level permissions (it is conditioned on the target clusters), nor do X-Ray trace writes.',
    });
    acknowledge(
      fn.role,
      clusters.map((name) => `AwsSolutions-IAM5[Resource::${arnPattern(this, 'ecs', `task/${name}/*`)}]`),
      "Task ARNs are not known in advance; DescribeTasks is limited to the target clusters' tasks.",
    );
  }

  /** Bridge-mode tasks are targets by instance: VerifyTargets finds each task's instance id. */
  private containerInstances(fn: NodeFunction): void {
    const onInstances = this.props.targets.filter((t) => t.networkMode === 'bridge');
    if (onInstances.length === 0) return;
    const clusters = unique(onInstances.map((t) => t.clusterName));
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeContainerInstances'],
        resources: clusters.map((name) =>
          Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'container-instance',
            resourceName: `${name}/*`,
          }),
        ),
      }),
    );
    acknowledge(
      fn.role,
      clusters.map(
        (name) => `AwsSolutions-IAM5[Resource::${arnPattern(this, 'ecs', `container-instance/${name}/*`)}]`,
      ),
      "Container instances come and go with the Auto Scaling group; DescribeContainerInstances is limited to the target clusters' instances.",
    );
  }

  /** Describe/register task definitions (no resource-level permissions) and pass only the services' roles. */
  private taskDefinitions(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
        resources: ['*'],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: this.props.targets.flatMap((t) => [t.taskRole.roleArn, t.executionRole.roleArn]),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition and X-Ray trace writes do not support resource-level permissions.',
    });
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
const pascal = (s: string): string => s.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
