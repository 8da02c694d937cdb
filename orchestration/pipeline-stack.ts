import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { parse } from 'yaml';
import { ENV } from '../functions/contract/environment.js';
import { RECORDS_TABLE } from '../functions/contract/records.js';
import { STEP } from '../functions/contract/states.js';
import { STEPSHIP_TAG_PREFIX } from '../functions/contract/tags.js';
import { DeploymentFunctions } from './constructs/deployment-functions.js';
import { RolloutEventRules } from './constructs/deployment-rollout-events.js';
import { type DeploymentNotifications, DeploymentRules } from './constructs/deployment-rules.js';
import { DeploymentStateMachine } from './constructs/deployment-state-machine.js';
import { deployTargetsOf, type PipelineTarget, targetProblems } from './constructs/pipeline-target.js';
import { acknowledge, arnPattern, arnRef } from './nag.js';

/** How the pipeline runs, for every service it deploys. */
export interface PipelineSettings {
  rolloutTimeoutSeconds: number;
  /**
   * How long a rollout wait may hear nothing from ECS (no deployment or task
   * event) before one check by API decides. Events normally end the wait;
   * this bounds how late a lost event makes it.
   */
  rolloutHeartbeatSeconds: number;
  /** `linux/amd64`, `linux/arm64`, or both comma-separated. */
  buildPlatforms: string;
  logRetentionDays: number;
  /** Where some of the app's deployment events are sent, if anywhere. */
  notifications?: DeploymentNotifications;
}

export interface PipelineStackProps extends StackProps {
  /** The app's name: the state machine, build project and records table are named after it. */
  appName: string;
  /** The services this pipeline deploys; adding one changes no code here. */
  targets: PipelineTarget[];
  settings: PipelineSettings;
}

const BUILDSPEC = fileURLToPath(new URL('../buildspec/buildspec.yml', import.meta.url));

/**
 * What stepship deploys *with*: the CodeBuild project, the workflow's Lambda
 * steps and state machine, the deployment records, and the three triggers
 * (ECR push rule, IAM-authorised HTTP API, and the CLI through either), for
 * every service in `targets`.
 */
export class PipelineStack extends Stack {
  readonly stateMachine: DeploymentStateMachine;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const problems = targetProblems(props.targets);
    if (problems.length > 0) throw new Error(`Invalid pipeline targets:\n  - ${problems.join('\n  - ')}`);
    const { appName, targets, settings } = props;
    const logRetention = settings.logRetentionDays as logs.RetentionDays;
    const stateMachineName = `stepship-${appName}-deploy`;
    // Long enough for a build, the rollout and a rollback; the lock outlives it by a margin.
    const timeout = Duration.seconds(3600 + 2 * settings.rolloutTimeoutSeconds);
    const lockTtlSeconds = timeout.toSeconds() + 300;

    const recordsTable = new dynamodb.Table(this, 'RecordsTable', {
      tableName: `stepship-${appName}-deployments`,
      partitionKey: { name: RECORDS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    recordsTable.addGlobalSecondaryIndex({
      indexName: RECORDS_TABLE.byServiceIndex,
      partitionKey: { name: RECORDS_TABLE.byServicePartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.byServiceSortKey, type: dynamodb.AttributeType.STRING },
    });

    const sourceBucket = new s3.Bucket(this, 'SourceBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { prefix: 'sources/', expiration: Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(sourceBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds short-lived build inputs (expired after 30 days); every build that reads one is recorded by CodeBuild and the deployment record.',
    });

    const project = this.buildProject(appName, targets, settings, sourceBucket, logRetention);
    const eventBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const functions = new DeploymentFunctions(this, 'Steps', {
      targets,
      recordsTable,
      logRetention,
      lockTtlSeconds,
      rolloutTimeoutSeconds: settings.rolloutTimeoutSeconds,
      stateMachineName,
      eventBus,
    });

    this.stateMachine = new DeploymentStateMachine(this, 'Workflow', {
      stateMachineName,
      functions: functions.steps,
      buildProject: project,
      targets: deployTargetsOf(targets),
      logRetention,
      timeout,
      rolloutHeartbeat: Duration.seconds(settings.rolloutHeartbeatSeconds),
      rolloutTimeout: Duration.seconds(settings.rolloutTimeoutSeconds),
    });
    const machine = this.stateMachine.stateMachine;
    new RolloutEventRules(this, 'RolloutEvents', { targets, handler: functions.rolloutEvents.function });
    acknowledge(
      machine.role,
      Object.values(functions.steps).map((fn) => `AwsSolutions-IAM5[Resource::${arnRef(fn)}:*]`),
      "Invoking a step function's versions and aliases (<arn>:*) is how CDK grants lambda:InvokeFunction; each is one of this workflow's steps.",
    );
    acknowledge(
      machine.role,
      ['AwsSolutions-IAM5[Resource::*]'],
      'CloudWatch Logs delivery (logs:*LogDelivery, DescribeResourcePolicies…) and X-Ray (PutTraceSegments…) actions have no resource-level permissions.',
    );

    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const repositories = Object.fromEntries(targets.map((t) => [t.serviceName, t.repository.repositoryName]));
    const start = functions.fn(
      STEP.startDeployment,
      'Start or queue a deployment (API, CLI, ECR push, Deployment Request event)',
      {
        ...functions.turnsEnvironment(),
        [ENV.serviceRepositories]: this.toJsonString(repositories),
        [ENV.sourceBucket]: sourceBucket.bucketName,
      },
    );
    functions.takesTurns(start);

    const get = functions.fn(STEP.getDeployment, 'Status, record and history of one deployment', {
      [ENV.recordsTable]: recordsTable.tableName,
      [ENV.stateMachineArn]: machine.stateMachineArn,
    });
    get.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executions],
      }),
    );
    functions.records(get, ['dynamodb:GetItem']);
    acknowledge(
      get.role,
      [`AwsSolutions-IAM5[Resource::${arnPattern(this, 'states', `execution:${stateMachineName}:*`)}]`],
      "Execution names are chosen per deployment; access is limited to this state machine's executions.",
    );

    new events.Rule(this, 'AutoDeployOnPush', {
      description: `Deploy a service of ${appName} when an image is pushed to its repository`,
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          'repository-name': targets.map((t) => t.repository.repositoryName),
          'image-tag': [{ 'anything-but': { prefix: STEPSHIP_TAG_PREFIX } }],
        },
      },
      targets: [
        new eventTargets.LambdaFunction(start.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      ],
    });

    new DeploymentRules(this, 'Rules', {
      appName,
      eventBus,
      stateMachineArn: machine.stateMachineArn,
      startDeployment: start.function,
      recordOutcome: functions.recordOutcome.function,
      executionArnPrefix: this.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachineName}:`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      notifications: settings.notifications,
    });

    const api = this.httpApi(start, get, logRetention);

    new CfnOutput(this, 'ApiUrl', {
      value: api.apiEndpoint,
      description: 'POST /deployments, GET /deployments/{id} (SigV4)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'SourceBucketName', {
      value: sourceBucket.bucketName,
      description: 'Upload zipped sources here',
    });
    new CfnOutput(this, 'RecordsTableName', { value: recordsTable.tableName });
    new CfnOutput(this, 'StartDeploymentFunctionName', { value: start.function.functionName });
  }

  private buildProject(
    appName: string,
    targets: PipelineTarget[],
    settings: PipelineSettings,
    sourceBucket: s3.IBucket,
    logRetention: logs.RetentionDays,
  ) {
    const logGroup = new logs.LogGroup(this, 'BuildLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const project = new codebuild.Project(this, 'Build', {
      projectName: `stepship-${appName}-build`,
      description: `Builds a service of ${appName} with docker buildx and pushes it to its ECR repository`,
      source: codebuild.Source.s3({ bucket: sourceBucket, path: 'sources/' }),
      buildSpec: codebuild.BuildSpec.fromObjectToYaml(
        parse(readFileSync(BUILDSPEC, 'utf8')) as Record<string, unknown>,
      ),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.MEDIUM,
        privileged: true,
      },
      // REPOSITORY_URI comes with each build, from the deployed service's target.
      environmentVariables: { PLATFORMS: { value: settings.buildPlatforms } },
      logging: { cloudWatch: { logGroup } },
      timeout: Duration.minutes(30),
      queuedTimeout: Duration.minutes(30),
    });
    // The S3 source already grants reads of sources/ in this bucket; add push to the services' repositories.
    for (const t of targets) t.repository.grantPullPush(project);
    Validations.of(project).acknowledge({
      id: 'AwsSolutions-CB3',
      reason:
        'docker buildx needs a privileged build container; the project builds only the uploaded service source.',
    });
    Validations.of(project).acknowledge({
      id: 'AwsSolutions-CB4',
      reason:
        'The project produces no artifacts (images go to ECR, encrypted there); the AWS-managed key covers its logs and cache.',
    });
    const projectName = `<${this.getLogicalId(project.node.defaultChild as CfnElement)}>`;
    acknowledge(
      project.role ?? project,
      [
        `AwsSolutions-IAM5[Resource::${arnPattern(this, 'logs', `log-group:/aws/codebuild/${projectName}:*`)}]`,
        `AwsSolutions-IAM5[Resource::${arnPattern(this, 'codebuild', `report-group/${projectName}-*`)}]`,
      ],
      'Generated by CodeBuild for this project only: its log streams and report groups are created per build.',
    );
    acknowledge(
      project.role ?? project,
      ['AwsSolutions-IAM5[Resource::*]'],
      "ecr:GetAuthorizationToken has no resource-level permissions; pushes are limited to the target services' repositories.",
    );
    acknowledge(
      project.role ?? project,
      [
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        `AwsSolutions-IAM5[Resource::${arnRef(sourceBucket)}/sources/*]`,
      ],
      'The S3 source grant of CodeBuild: read-only, and only the sources/ prefix of the stepship source bucket.',
    );
    return project;
  }

  private httpApi(
    start: { function: import('aws-cdk-lib/aws-lambda').IFunction },
    get: { function: import('aws-cdk-lib/aws-lambda').IFunction },
    logRetention: logs.RetentionDays,
  ) {
    const api = new apigw.HttpApi(this, 'Api', {
      apiName: `stepship-${this.stackName}`,
      description: 'stepship deployments (SigV4, IAM-authorised)',
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: true,
    });
    api.addRoutes({
      path: '/deployments',
      methods: [apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('StartDeployment', start.function),
    });
    api.addRoutes({
      path: '/deployments/{id}',
      methods: [apigw.HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetDeployment', get.function),
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = api.defaultStage?.node.defaultChild as apigw.CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        caller: '$context.identity.userArn',
        route: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
      }),
    };
    return api;
  }
}
