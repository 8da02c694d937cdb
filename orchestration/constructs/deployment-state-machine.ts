import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** The Lambda steps the workflow sequences, by role. */
export interface WorkflowFunctions {
  prepare: lambda.IFunction;
  resolveImage: lambda.IFunction;
  registerTaskDefinition: lambda.IFunction;
  updateService: lambda.IFunction;
  checkRollout: lambda.IFunction;
  verifyTargets: lambda.IFunction;
  verifyEndpoint: lambda.IFunction;
  verifyDynamoDb: lambda.IFunction;
  rollback: lambda.IFunction;
  finalize: lambda.IFunction;
  recordFailure: lambda.IFunction;
}

export interface DeploymentStateMachineProps {
  stateMachineName: string;
  functions: WorkflowFunctions;
  buildProject: codebuild.IProject;
  logRetention: logs.RetentionDays;
  /** The whole execution's limit; the per-service lock's expiry is derived from it. */
  timeout: Duration;
}

/** Errors worth retrying: throttling and 5xx (TransientAwsError) and Lambda's own service faults. */
const TRANSIENT_ERRORS = [
  'TransientAwsError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const EXECUTION = {
  'Id.$': '$$.Execution.Id',
  'Name.$': '$$.Execution.Name',
  'StartTime.$': '$$.Execution.StartTime',
};

/**
 * The deployment workflow (a Standard state machine, logged at ALL, traced):
 *
 *   Prepare → NeedsBuild? → [Build] → ResolveImage → RegisterTaskDefinition →
 *   UpdateService → (Wait → CheckRollout)* → VerifyTargets → VerifyEndpoint →
 *   VerifyDynamoDB → Finalize
 *
 * Failures before UpdateService are recorded FAILED; after it, they go through
 * Rollback (to the last verified revision) and its own rollout wait, then are
 * recorded ROLLED_BACK. Every path ends by releasing the lock, and every Fail
 * carries the original error name and a readable cause.
 */
export class DeploymentStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DeploymentStateMachineProps) {
    super(scope, id);
    const f = props.functions;

    const step = (name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
      }).addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 4,
        backoffRate: 2,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });

    // --- Failure paths: record, release the lock, fail with the original error.
    const failed = new sfn.Fail(this, 'DeploymentFailed', {
      comment: 'The deployment failed; the record and the cause say why.',
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    const unrecorded = new sfn.Fail(this, 'DeploymentFailedUnrecorded', {
      comment: 'The deployment failed and its record could not be written.',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const record = (name: string, outcome: string) =>
      step(name, f.recordFailure, { outcome, execution: EXECUTION, 'state.$': '$' }, '$.failure')
        .addCatch(unrecorded, { resultPath: '$.recordError' })
        .next(failed);
    const recordFailed = record('RecordFailed', 'FAILED');
    const recordRolledBack = record('RecordRolledBack', 'ROLLED_BACK');
    const recordRollbackFailed = record('RecordRollbackFailed', 'ROLLBACK_FAILED');

    const rollback = step(
      'Rollback',
      f.rollback,
      { 'deployment.$': '$.deployment', 'taskDefinition.$': '$.taskDefinition', 'error.$': '$.error' },
      '$.rollback',
    ).addCatch(recordRollbackFailed, { resultPath: '$.rollbackError' });
    const checkRollback = step(
      'CheckRollbackRollout',
      f.checkRollout,
      { 'deployment.$': '$.deployment', 'rollout.$': '$.rollback.rollout' },
      '$.rollback.rollout',
    ).addCatch(recordRollbackFailed, { resultPath: '$.rollbackError' });
    const waitRollback = new sfn.Wait(this, 'WaitForRollback', {
      time: sfn.WaitTime.secondsPath('$.rollback.rollout.waitSeconds'),
    });
    rollback.next(waitRollback);
    waitRollback.next(checkRollback);
    checkRollback.next(
      new sfn.Choice(this, 'RollbackDone?')
        .when(sfn.Condition.stringEquals('$.rollback.rollout.state', 'COMPLETED'), recordRolledBack)
        .otherwise(waitRollback),
    );

    // --- The forward path.
    const prepare = step(
      'Prepare',
      f.prepare,
      { 'request.$': '$.request', execution: EXECUTION },
      '$.deployment',
    ).addCatch(recordFailed, { resultPath: '$.error' });

    const build = new sfn.CustomState(this, 'Build', {
      stateJson: {
        Type: 'Task',
        Comment: 'CodeBuild runs buildspec/buildspec.yml on the uploaded source and exports IMAGE_DIGEST.',
        Resource: `arn:${Stack.of(this).partition}:states:::codebuild:startBuild.sync`,
        // A little over the project's 30 minutes; without it a stuck build would hold the execution to its own timeout.
        TimeoutSeconds: 2400,
        Parameters: {
          ProjectName: props.buildProject.projectName,
          'SourceLocationOverride.$': '$.deployment.sourceLocation',
          EnvironmentVariablesOverride: [
            { Name: 'IMAGE_TAG', Type: 'PLAINTEXT', 'Value.$': '$.deployment.imageTag' },
          ],
        },
        ResultSelector: {
          'buildId.$': '$.Build.Id',
          'exportedVariables.$': '$.Build.ExportedEnvironmentVariables',
        },
        ResultPath: '$.build',
      },
    });
    const buildFailed = new sfn.Pass(this, 'NameBuildFailure', {
      comment:
        'A failed .sync build surfaces as States.TaskFailed; name it for the record and the Fail state.',
      parameters: { Error: 'BuildFailedError', 'Cause.$': '$.buildError.Cause' },
      resultPath: '$.error',
    }).next(recordFailed);
    build.addRetry({
      errors: ['CodeBuild.AccountLimitExceededException', 'CodeBuild.CodeBuildException'],
      interval: Duration.seconds(10),
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    build.addCatch(buildFailed, { resultPath: '$.buildError' });
    const skipBuild = new sfn.Pass(this, 'SkipBuild', {
      comment: 'The image already exists (a push, or a tag or digest was given).',
      result: sfn.Result.fromObject({ skipped: true }),
      resultPath: '$.build',
    });

    const resolveImage = step(
      'ResolveImage',
      f.resolveImage,
      { 'deployment.$': '$.deployment', 'build.$': '$.build' },
      '$.image',
    ).addCatch(recordFailed, { resultPath: '$.error' });
    build.next(resolveImage);
    skipBuild.next(resolveImage);

    const register = step(
      'RegisterTaskDefinition',
      f.registerTaskDefinition,
      { 'deployment.$': '$.deployment', 'image.$': '$.image' },
      '$.taskDefinition',
    ).addCatch(recordFailed, { resultPath: '$.error' });
    const update = step(
      'UpdateService',
      f.updateService,
      { 'deployment.$': '$.deployment', 'taskDefinition.$': '$.taskDefinition' },
      '$.rollout',
    ).addCatch(recordFailed, { resultPath: '$.error' });

    const waitRollout = new sfn.Wait(this, 'WaitForRollout', {
      time: sfn.WaitTime.secondsPath('$.rollout.waitSeconds'),
    });
    const checkRollout = step(
      'CheckRollout',
      f.checkRollout,
      { 'deployment.$': '$.deployment', 'rollout.$': '$.rollout' },
      '$.rollout',
    ).addCatch(rollback, { resultPath: '$.error' });

    const verifyTargets = step(
      'VerifyTargets',
      f.verifyTargets,
      { 'deployment.$': '$.deployment', 'rollout.$': '$.rollout' },
      '$.verification',
    )
      .addRetry({
        errors: ['TargetsNotReadyError'],
        interval: Duration.seconds(3),
        maxAttempts: 6,
        backoffRate: 1.5,
        maxDelay: Duration.seconds(15),
      })
      .addCatch(rollback, { resultPath: '$.error' });
    const verifyEndpoint = step(
      'VerifyEndpoint',
      f.verifyEndpoint,
      { 'deployment.$': '$.deployment', 'image.$': '$.image', 'verification.$': '$.verification' },
      '$.verification',
    ).addCatch(rollback, { resultPath: '$.error' });
    const verifyDynamo = step(
      'VerifyDynamoDB',
      f.verifyDynamoDb,
      { 'deployment.$': '$.deployment', 'verification.$': '$.verification' },
      '$.verification',
    ).addCatch(rollback, { resultPath: '$.error' });
    const finalize = step(
      'Finalize',
      f.finalize,
      {
        execution: EXECUTION,
        'deployment.$': '$.deployment',
        'image.$': '$.image',
        'taskDefinition.$': '$.taskDefinition',
        'rollout.$': '$.rollout',
        'verification.$': '$.verification',
      },
      '$.summary',
    );
    const succeeded = new sfn.Succeed(this, 'Deployed', { outputPath: '$.summary' });

    const definition = prepare.next(
      new sfn.Choice(this, 'NeedsBuild?')
        .when(sfn.Condition.booleanEquals('$.deployment.needsBuild', true), build)
        .otherwise(skipBuild),
    );
    resolveImage.next(register);
    register.next(update);
    update.next(waitRollout);
    waitRollout.next(checkRollout);
    checkRollout.next(
      new sfn.Choice(this, 'RolloutDone?')
        .when(sfn.Condition.stringEquals('$.rollout.state', 'COMPLETED'), verifyTargets)
        .otherwise(waitRollout),
    );
    verifyTargets.next(verifyEndpoint);
    verifyEndpoint.next(verifyDynamo);
    verifyDynamo.next(finalize);
    finalize.next(succeeded);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'stepship: build, deploy, verify and record one ECS service deployment',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.grantBuild(props.buildProject);
  }

  /** What the `.sync` CodeBuild integration needs, on this project and its managed rule only. */
  private grantBuild(project: codebuild.IProject): void {
    const stack = Stack.of(this);
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
        resources: [project.projectArn],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventForCodeBuildStartBuildRule',
          }),
        ],
      }),
    );
  }
}
