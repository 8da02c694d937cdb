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
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { parse } from 'yaml';
import type { StepshipConfig } from './config.js';
import { DeploymentFunctions } from './constructs/deployment-functions.js';
import { DeploymentStateMachine } from './constructs/deployment-state-machine.js';
import { acknowledge, arnPattern, arnRef } from './nag.js';
import type { ServiceStack } from './service-stack.js';

export interface PipelineStackProps extends StackProps {
  config: StepshipConfig;
  target: ServiceStack;
}

const BUILDSPEC = fileURLToPath(new URL('../buildspec/buildspec.yml', import.meta.url));
/** Tags stepship's own builds push; the auto-deploy rule ignores them (the build's execution deploys them). */
export const STEPSHIP_TAG_PREFIX = 'stepship-';

/**
 * What stepship deploys *with*: the CodeBuild project, the workflow's Lambda
 * steps and state machine, the deployment records, and the three triggers
 * (ECR push rule, IAM-authorised HTTP API, and the CLI through either).
 */
export class PipelineStack extends Stack {
  readonly stateMachine: DeploymentStateMachine;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const c = props.config;
    const t = props.target;
    const logRetention = c.logRetentionDays as logs.RetentionDays;
    const stateMachineName = `stepship-${c.serviceName}-deploy`;
    // Long enough for a build, the rollout and a rollback; the lock outlives it by a margin.
    const timeout = Duration.seconds(3600 + 2 * c.rolloutTimeoutSeconds);
    const lockTtlSeconds = timeout.toSeconds() + 300;

    const recordsTable = new dynamodb.Table(this, 'RecordsTable', {
      tableName: `stepship-${c.serviceName}-deployments`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    recordsTable.addGlobalSecondaryIndex({
      indexName: 'by-service',
      partitionKey: { name: 'service', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'startedAt', type: dynamodb.AttributeType.STRING },
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

    const project = this.buildProject(c, t, sourceBucket, logRetention);

    const functions = new DeploymentFunctions(this, 'Steps', {
      config: c,
      cluster: t.cluster,
      clusterName: t.clusterName,
      service: t.web.service,
      repository: t.repository,
      appTable: t.appTable,
      targetGroup: t.web.targetGroup,
      loadBalancerUrl: t.loadBalancerUrl,
      taskRole: t.web.taskRole,
      executionRole: t.web.executionRole,
      recordsTable,
      logRetention,
      lockTtlSeconds,
    });

    this.stateMachine = new DeploymentStateMachine(this, 'Workflow', {
      stateMachineName,
      functions: functions.steps,
      buildProject: project,
      logRetention,
      timeout,
    });
    const machine = this.stateMachine.stateMachine;
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

    const start = functions.fn('start-deployment', 'Start a deployment (API, ECR push, CLI)', {
      SERVICE_NAME: c.serviceName,
      REPOSITORY_NAME: t.repository.repositoryName,
      SOURCE_BUCKET: sourceBucket.bucketName,
      STATE_MACHINE_ARN: machine.stateMachineArn,
    });
    start.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }),
    );
    start.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    );

    const get = functions.fn('get-deployment', 'Status, record and history of one deployment', {
      RECORDS_TABLE_NAME: recordsTable.tableName,
      STATE_MACHINE_ARN: machine.stateMachineArn,
    });
    get.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executions],
      }),
    );
    functions.records(get, ['dynamodb:GetItem']);
    for (const fn of [start, get]) {
      acknowledge(
        fn.role,
        [`AwsSolutions-IAM5[Resource::${arnPattern(this, 'states', `execution:${stateMachineName}:*`)}]`],
        "Execution names are chosen per deployment; access is limited to this state machine's executions.",
      );
    }

    new events.Rule(this, 'AutoDeployOnPush', {
      description: `Deploy ${c.serviceName} when an image is pushed to its repository`,
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          'repository-name': [t.repository.repositoryName],
          'image-tag': [{ 'anything-but': { prefix: STEPSHIP_TAG_PREFIX } }],
        },
      },
      targets: [
        new targets.LambdaFunction(start.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      ],
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
    c: StepshipConfig,
    t: ServiceStack,
    sourceBucket: s3.IBucket,
    logRetention: logs.RetentionDays,
  ) {
    const logGroup = new logs.LogGroup(this, 'BuildLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const project = new codebuild.Project(this, 'Build', {
      projectName: `stepship-${c.serviceName}-build`,
      description: `Builds ${c.serviceName} with docker buildx and pushes it to ECR`,
      source: codebuild.Source.s3({ bucket: sourceBucket, path: 'sources/' }),
      buildSpec: codebuild.BuildSpec.fromObjectToYaml(
        parse(readFileSync(BUILDSPEC, 'utf8')) as Record<string, unknown>,
      ),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.MEDIUM,
        privileged: true,
      },
      environmentVariables: {
        REPOSITORY_URI: { value: t.repository.repositoryUri },
        PLATFORMS: { value: c.buildPlatforms },
      },
      logging: { cloudWatch: { logGroup } },
      timeout: Duration.minutes(30),
      queuedTimeout: Duration.minutes(30),
    });
    // The S3 source already grants reads of sources/ in this bucket; add push to this one repository.
    t.repository.grantPullPush(project);
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
      'ecr:GetAuthorizationToken has no resource-level permissions; pushes are limited to the service repository.',
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
