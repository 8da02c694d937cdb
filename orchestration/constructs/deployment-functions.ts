import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepshipConfig } from '../config.js';
import { acknowledge, arnPattern, arnRef } from '../nag.js';
import type { WorkflowFunctions } from './deployment-state-machine.js';
import { NodeFunction } from './node-function.js';

export interface DeploymentFunctionsProps {
  config: StepshipConfig;
  cluster: ecs.ICluster;
  /** The cluster's fixed name (from the configuration), so policies need no cross-stack token. */
  clusterName: string;
  service: ecs.FargateService;
  repository: ecr.IRepository;
  appTable: dynamodb.ITable;
  targetGroup: elbv2.IApplicationTargetGroup;
  loadBalancerUrl: string;
  taskRole: iam.IRole;
  executionRole: iam.IRole;
  recordsTable: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  lockTtlSeconds: number;
}

/**
 * The workflow's Lambda steps, each with exactly the permissions its logic
 * uses. Where an action has no resource-level permissions in IAM, the
 * acknowledgement says so; everything else is scoped to this service.
 */
export class DeploymentFunctions extends Construct {
  readonly steps: WorkflowFunctions;
  private readonly props: DeploymentFunctionsProps;

  constructor(scope: Construct, id: string, props: DeploymentFunctionsProps) {
    super(scope, id);
    this.props = props;
    const c = props.config;
    const target = {
      SERVICE_NAME: c.serviceName,
      CLUSTER_NAME: props.clusterName,
      CONTAINER_NAME: c.containerName,
      REPOSITORY_NAME: props.repository.repositoryName,
      REPOSITORY_URI: props.repository.repositoryUri,
      APP_TABLE_NAME: props.appTable.tableName,
      LOAD_BALANCER_URL: props.loadBalancerUrl,
      TARGET_GROUP_ARN: props.targetGroup.targetGroupArn,
      DESIRED_COUNT: String(c.desiredCount),
    };
    const records = { RECORDS_TABLE_NAME: props.recordsTable.tableName };

    const prepare = this.fn('prepare', 'Resolve the target, take the lock, record STARTED', {
      ...target,
      ...records,
      LOCK_TTL_SECONDS: String(props.lockTtlSeconds),
    });
    this.describeService(prepare);
    this.records(prepare, ['dynamodb:GetItem', 'dynamodb:PutItem']);

    const resolveImage = this.fn('resolve-image', 'ECR tag → digest', {});
    resolveImage.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:DescribeImages'],
        resources: [props.repository.repositoryArn],
      }),
    );

    const registerTaskDefinition = this.fn(
      'register-task-definition',
      'Clone the task definition with the new image',
      {},
    );
    this.describeService(registerTaskDefinition);
    this.taskDefinitions(registerTaskDefinition);

    const updateService = this.fn('update-service', 'Start the rolling deployment', {});
    this.updateService(updateService);

    const rollout = {
      ROLLOUT_TIMEOUT_SECONDS: String(c.rolloutTimeoutSeconds),
      ROLLOUT_POLL_SECONDS: String(c.rolloutPollSeconds),
    };
    const checkRollout = this.fn('check-rollout', 'Judge this deployment by its id', rollout);
    this.describeService(checkRollout);
    this.tasks(checkRollout);

    const verifyTargets = this.fn('verify-targets', "New tasks' IPs healthy in the target group", {});
    this.tasks(verifyTargets);
    verifyTargets.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
    );
    Validations.of(verifyTargets.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'elasticloadbalancing:DescribeTargetHealth and ecs:ListTasks do not support resource-level permissions (ListTasks is conditioned on the cluster).',
    });

    const verifyEndpoint = this.fn(
      'verify-endpoint',
      'Requests through the ALB reach several new tasks',
      {},
      60,
    );
    const verifyDynamoDb = this.fn('verify-dynamodb', 'The service lists its DynamoDB table', {}, 30);

    const rollback = this.fn('rollback', 'Roll back to the last verified task definition', records);
    this.describeService(rollback);
    this.updateService(rollback);
    this.taskDefinitions(rollback);
    this.records(rollback, ['dynamodb:Query']);

    const finalize = this.fn('finalize', 'Record SUCCEEDED with timings; release the lock', records);
    this.records(finalize, ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    const recordFailure = this.fn(
      'record-failure',
      'Record the failure and its cause; release the lock',
      records,
    );
    this.records(recordFailure, ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']);

    this.steps = {
      prepare: prepare.function,
      resolveImage: resolveImage.function,
      registerTaskDefinition: registerTaskDefinition.function,
      updateService: updateService.function,
      checkRollout: checkRollout.function,
      verifyTargets: verifyTargets.function,
      verifyEndpoint: verifyEndpoint.function,
      verifyDynamoDb: verifyDynamoDb.function,
      rollback: rollback.function,
      finalize: finalize.function,
      recordFailure: recordFailure.function,
    };
  }

  /** A function outside the workflow (the API's and the push rule's entry points). */
  fn(
    step: string,
    description: string,
    environment: Record<string, string>,
    timeoutSeconds = 30,
  ): NodeFunction {
    return new NodeFunction(this, pascal(step), {
      step,
      description: `stepship: ${description}`,
      environment,
      logRetention: this.props.logRetention,
      timeout: Duration.seconds(timeoutSeconds),
    });
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

  private describeService(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: [this.props.service.serviceArn],
      }),
    );
  }

  private updateService(fn: NodeFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
        resources: [this.props.service.serviceArn],
      }),
    );
  }

  /** ListTasks on this cluster; DescribeTasks on this cluster's tasks. */
  private tasks(fn: NodeFunction): void {
    const cluster = this.props.cluster;
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `${this.props.clusterName}/*`,
          }),
        ],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:ListTasks has no resource-level permissions; it is conditioned on this cluster.',
    });
    acknowledge(
      fn.role,
      [`AwsSolutions-IAM5[Resource::${arnPattern(this, 'ecs', `task/${this.props.clusterName}/*`)}]`],
      'Task ARNs are not known in advance; DescribeTasks is limited to tasks of this cluster.',
    );
  }

  /** Describe/register task definitions (no resource-level permissions) and pass only the service's two roles. */
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
        resources: [this.props.taskRole.roleArn, this.props.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:DescribeTaskDefinition and ecs:RegisterTaskDefinition do not support resource-level permissions.',
    });
  }
}

const pascal = (s: string): string => s.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
