import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR, TRANSIENT_BUILD_ERRORS, TRANSIENT_ERRORS } from '../../functions/contract/errors.js';
import type { DeployTargets } from '../../functions/contract/shapes.js';
import { STATE_PATH as P, STATE } from '../../functions/contract/states.js';
import type { FailureOutcome } from '../../functions/record-failure/record-failure.js';
import { dependOnPolicyOnly } from './policy-dependency.js';

/** The Lambda steps the workflow sequences, by role. */
export interface WorkflowFunctions {
  prepare: lambda.IFunction;
  resolveImage: lambda.IFunction;
  registerTaskDefinition: lambda.IFunction;
  updateService: lambda.IFunction;
  /** Started with a task token; ECS's events (rollout-events) or its own check resume the execution. */
  awaitRollout: lambda.IFunction;
  checkRollout: lambda.IFunction;
  verifyTargets: lambda.IFunction;
  verifyChecks: lambda.IFunction;
  rollback: lambda.IFunction;
  finalize: lambda.IFunction;
  recordFailure: lambda.IFunction;
}

export interface DeploymentStateMachineProps {
  stateMachineName: string;
  functions: WorkflowFunctions;
  buildProject: codebuild.IProject;
  /** The app's services, carried in the definition as a literal and handed to Prepare. */
  targets: DeployTargets;
  logRetention: logs.RetentionDays;
  /** The whole execution's limit; the per-service lock's expiry is derived from it. */
  timeout: Duration;
  /** How long a rollout wait goes without an ECS event (a heartbeat) before one check by API decides. */
  rolloutHeartbeat: Duration;
  /** A rollout's limit (the check fails it with RolloutTimeoutError); also each wait's own TimeoutSeconds. */
  rolloutTimeout: Duration;
}

const EXECUTION = {
  'Id.$': '$$.Execution.Id',
  'Name.$': '$$.Execution.Name',
  'StartTime.$': '$$.Execution.StartTime',
};

/**
 * The deployment workflow (a Standard state machine, logged at ALL, traced):
 *
 *   Prepare → NeedsBuild? → [Build] → ResolveImage → RevisionGiven? →
 *   RegisterTaskDefinition | UseGivenRevision → UpdateService →
 *   AwaitRollout → VerifyTargets → VerifyChecks → Finalize
 *
 * A request naming an existing revision (a rollback) skips the build and the
 * registration: Prepare checked the revision and its image's digest, which
 * ResolveImage confirms is still in the repository.
 *
 * AwaitRollout is a `lambda:invoke.waitForTaskToken` task: its function
 * stores the token and checks once, and ECS's deployment events resume it
 * (rollout-events), so the wait costs the same few transitions however long
 * the rollout takes. If no event comes for `rolloutHeartbeat`, one
 * CheckRollout decides: done, failed, or back to waiting.
 *
 * Prepare receives the app's targets and picks the requested service's, so
 * the one state machine deploys any service of the app.
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
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(2),
        maxAttempts: 4,
        backoffRate: 2,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });

    // --- Failure paths: record, release the lock, fail with the original error.
    const failed = new sfn.Fail(this, STATE.deploymentFailed, {
      comment: 'The deployment failed; the record and the cause say why.',
      errorPath: `${P.failure}.Error`,
      causePath: `${P.failure}.Cause`,
    });
    const unrecorded = new sfn.Fail(this, STATE.deploymentFailedUnrecorded, {
      comment: 'The deployment failed and its record could not be written.',
      errorPath: `${P.error}.Error`,
      causePath: `${P.error}.Cause`,
    });
    const record = (name: string, outcome: FailureOutcome) =>
      step(name, f.recordFailure, { outcome, execution: EXECUTION, 'state.$': '$' }, P.failure)
        .addCatch(unrecorded, { resultPath: P.recordError })
        .next(failed);
    const recordFailed = record(STATE.recordFailed, 'FAILED');
    const recordRolledBack = record(STATE.recordRolledBack, 'ROLLED_BACK');
    const recordRollbackFailed = record(STATE.recordRollbackFailed, 'ROLLBACK_FAILED');

    const rollback = step(
      STATE.rollback,
      f.rollback,
      { 'deployment.$': P.deployment, 'taskDefinition.$': P.taskDefinition, 'error.$': P.error },
      P.rollback,
    ).addCatch(recordRollbackFailed, { resultPath: P.rollbackError });
    const awaitRollback = this.awaitRollout(STATE.awaitRollbackRollout, P.rollbackRollout, props);
    const checkRollback = step(
      STATE.checkRollbackRollout,
      f.checkRollout,
      { 'deployment.$': P.deployment, 'rollout.$': P.rollbackRollout },
      P.rollbackRollout,
    ).addCatch(recordRollbackFailed, { resultPath: P.rollbackError });
    rollback.next(awaitRollback);
    awaitRollback.next(recordRolledBack);
    checkRollback.next(
      new sfn.Choice(this, STATE.rollbackDone)
        .when(sfn.Condition.stringEquals(`${P.rollbackRollout}.state`, 'COMPLETED'), recordRolledBack)
        .otherwise(awaitRollback),
    );
    this.fallBackToCheck(awaitRollback, checkRollback);
    awaitRollback.addCatch(recordRollbackFailed, { resultPath: P.rollbackError });

    // --- The forward path.
    const prepare = step(
      STATE.prepare,
      f.prepare,
      { 'request.$': P.request, execution: EXECUTION, targets: props.targets },
      P.deployment,
    ).addCatch(recordFailed, { resultPath: P.error });

    const build = new sfn.CustomState(this, STATE.build, {
      stateJson: {
        Type: 'Task',
        Comment: 'CodeBuild runs buildspec/buildspec.yml on the uploaded source and exports IMAGE_DIGEST.',
        Resource: `arn:${Stack.of(this).partition}:states:::codebuild:startBuild.sync`,
        // A little over the project's 30 minutes; without it a stuck build would hold the execution to its own timeout.
        TimeoutSeconds: 2400,
        Parameters: {
          ProjectName: props.buildProject.projectName,
          'SourceLocationOverride.$': `${P.deployment}.sourceLocation`,
          EnvironmentVariablesOverride: [
            { Name: 'IMAGE_TAG', Type: 'PLAINTEXT', 'Value.$': `${P.deployment}.imageTag` },
            // One project builds every service: the image goes to the deployed service's repository,
            // from its own Dockerfile and build arguments.
            { Name: 'REPOSITORY_URI', Type: 'PLAINTEXT', 'Value.$': `${P.deployment}.target.repositoryUri` },
            { Name: 'DOCKERFILE', Type: 'PLAINTEXT', 'Value.$': `${P.deployment}.target.build.dockerfile` },
            { Name: 'BUILD_ARGS', Type: 'PLAINTEXT', 'Value.$': `${P.deployment}.target.build.args` },
          ],
        },
        ResultSelector: {
          'buildId.$': '$.Build.Id',
          'exportedVariables.$': '$.Build.ExportedEnvironmentVariables',
        },
        ResultPath: P.build,
      },
    });
    const buildFailed = new sfn.Pass(this, STATE.nameBuildFailure, {
      comment:
        'A failed .sync build surfaces as States.TaskFailed; name it for the record and the Fail state.',
      parameters: { Error: ERROR.buildFailed, 'Cause.$': `${P.buildError}.Cause` },
      resultPath: P.error,
    }).next(recordFailed);
    build.addRetry({
      errors: [...TRANSIENT_BUILD_ERRORS],
      interval: Duration.seconds(10),
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    build.addCatch(buildFailed, { resultPath: P.buildError });
    const skipBuild = new sfn.Pass(this, STATE.skipBuild, {
      comment: 'The image already exists (a push, or a tag or digest was given).',
      result: sfn.Result.fromObject({ skipped: true }),
      resultPath: P.build,
    });

    const resolveImage = step(
      STATE.resolveImage,
      f.resolveImage,
      { 'deployment.$': P.deployment, 'build.$': P.build },
      P.image,
    ).addCatch(recordFailed, { resultPath: P.error });
    build.next(resolveImage);
    skipBuild.next(resolveImage);

    const register = step(
      STATE.registerTaskDefinition,
      f.registerTaskDefinition,
      { 'deployment.$': P.deployment, 'image.$': P.image },
      P.taskDefinition,
    ).addCatch(recordFailed, { resultPath: P.error });
    const useGivenRevision = new sfn.Pass(this, STATE.useGivenRevision, {
      comment: 'The request named an existing revision: deploy it as it is, nothing registered.',
      parameters: {
        'taskDefinitionArn.$': `${P.deployment}.revision.taskDefinitionArn`,
        'previousTaskDefinitionArn.$': `${P.deployment}.revision.previousTaskDefinitionArn`,
        // No registration happened: its phase takes no time.
        'registeredAt.$': `${P.image}.resolvedAt`,
      },
      resultPath: P.taskDefinition,
    });
    const update = step(
      STATE.updateService,
      f.updateService,
      { 'deployment.$': P.deployment, 'taskDefinition.$': P.taskDefinition },
      P.rollout,
    ).addCatch(recordFailed, { resultPath: P.error });

    const awaitRollout = this.awaitRollout(STATE.awaitRollout, P.rollout, props);
    const checkRollout = step(
      STATE.checkRollout,
      f.checkRollout,
      { 'deployment.$': P.deployment, 'rollout.$': P.rollout },
      P.rollout,
    ).addCatch(rollback, { resultPath: P.error });
    this.fallBackToCheck(awaitRollout, checkRollout);
    // After the fallback's catch: any other error of the wait (RolloutFailedError…) rolls back.
    awaitRollout.addCatch(rollback, { resultPath: P.error });

    const verifyTargets = step(
      STATE.verifyTargets,
      f.verifyTargets,
      { 'deployment.$': P.deployment, 'rollout.$': P.rollout },
      P.verification,
    )
      .addRetry({
        errors: [ERROR.targetsNotReady],
        interval: Duration.seconds(3),
        maxAttempts: 6,
        backoffRate: 1.5,
        maxDelay: Duration.seconds(15),
      })
      .addCatch(rollback, { resultPath: P.error });
    const verifyChecks = step(
      STATE.verifyChecks,
      f.verifyChecks,
      { 'deployment.$': P.deployment, 'image.$': P.image, 'verification.$': P.verification },
      P.verification,
    ).addCatch(rollback, { resultPath: P.error });
    const finalize = step(
      STATE.finalize,
      f.finalize,
      {
        execution: EXECUTION,
        'deployment.$': P.deployment,
        'image.$': P.image,
        'taskDefinition.$': P.taskDefinition,
        'rollout.$': P.rollout,
        'verification.$': P.verification,
      },
      P.summary,
    );
    const succeeded = new sfn.Succeed(this, STATE.deployed, { outputPath: P.summary });

    const definition = prepare.next(
      new sfn.Choice(this, STATE.needsBuild)
        .when(sfn.Condition.booleanEquals(`${P.deployment}.needsBuild`, true), build)
        .otherwise(skipBuild),
    );
    resolveImage.next(
      new sfn.Choice(this, STATE.revisionGiven)
        .when(sfn.Condition.isPresent(`${P.deployment}.revision`), useGivenRevision)
        .otherwise(register),
    );
    useGivenRevision.next(update);
    register.next(update);
    update.next(awaitRollout);
    awaitRollout.next(verifyTargets);
    checkRollout.next(
      new sfn.Choice(this, STATE.rolloutDone)
        .when(sfn.Condition.stringEquals(`${P.rollout}.state`, 'COMPLETED'), verifyTargets)
        .otherwise(awaitRollout),
    );
    verifyTargets.next(verifyChecks);
    verifyChecks.next(finalize);
    finalize.next(succeeded);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: "stepship: build, deploy, verify and record a deployment of one of the app's ECS services",
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'CloudFormation-Validate::E1029',
      reason:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: names stepship's table placeholder
        "`${table:<name>}` in the targets' declared checks is stepship's placeholder, which the verify step replaces with the table's name; CloudFormation keeps it as text.",
    });
    this.grantBuild(props.buildProject);
    const resource = this.stateMachine.node.defaultChild as sfn.CfnStateMachine;
    dependOnPolicyOnly(resource, this.stateMachine.role);
    // The same placeholder, for cfn-lint: this resource only, this check only.
    resource.addMetadata('cfn-lint', { config: { ignore_checks: ['E1029'] } });
  }

  /**
   * A wait for the rollout at `rolloutPath`, resumed by its task token. The
   * function's answer is not the result: SendTaskSuccess's output (the
   * COMPLETED rollout) lands at `rolloutPath`; SendTaskFailure's error name
   * (RolloutFailedError…) is what the Catch matches.
   */
  private awaitRollout(name: string, rolloutPath: string, props: DeploymentStateMachineProps) {
    return new tasks.LambdaInvoke(this, name, {
      lambdaFunction: props.functions.awaitRollout,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        'deployment.$': P.deployment,
        'rollout.$': rolloutPath,
      }),
      heartbeatTimeout: sfn.Timeout.duration(props.rolloutHeartbeat),
      taskTimeout: sfn.Timeout.duration(props.rolloutTimeout),
      retryOnServiceExceptions: false,
      resultPath: rolloutPath,
    }).addRetry({
      errors: [...TRANSIENT_ERRORS],
      interval: Duration.seconds(2),
      maxAttempts: 4,
      backoffRate: 2,
      maxDelay: Duration.seconds(30),
      jitterStrategy: sfn.JitterType.FULL,
    });
  }

  /**
   * No event for a heartbeat period (lost, or ECS quiet for that long), or the
   * wait's own time limit: one check by API decides. Must be the wait's first
   * Catch, ahead of the one that rolls back on any error.
   */
  private fallBackToCheck(wait: sfn.TaskStateBase, check: sfn.TaskStateBase): void {
    wait.addCatch(check, {
      errors: [sfn.Errors.HEARTBEAT_TIMEOUT, sfn.Errors.TIMEOUT],
      resultPath: sfn.JsonPath.DISCARD,
    });
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
