/**
 * The state machine's states, by name: what the execution history, the CLI's
 * progress lines and the tests see.
 */
export const STATE = {
  prepare: 'Prepare',
  needsBuild: 'NeedsBuild?',
  build: 'Build',
  nameBuildFailure: 'NameBuildFailure',
  skipBuild: 'SkipBuild',
  resolveImage: 'ResolveImage',
  revisionGiven: 'RevisionGiven?',
  useGivenRevision: 'UseGivenRevision',
  registerTaskDefinition: 'RegisterTaskDefinition',
  updateService: 'UpdateService',
  awaitRollout: 'AwaitRollout',
  checkRollout: 'CheckRollout',
  rolloutDone: 'RolloutDone?',
  verifyTargets: 'VerifyTargets',
  verifyChecks: 'VerifyChecks',
  finalize: 'Finalize',
  deployed: 'Deployed',
  rollback: 'Rollback',
  awaitRollbackRollout: 'AwaitRollbackRollout',
  checkRollbackRollout: 'CheckRollbackRollout',
  rollbackDone: 'RollbackDone?',
  recordFailed: 'RecordFailed',
  recordRolledBack: 'RecordRolledBack',
  recordRollbackFailed: 'RecordRollbackFailed',
  deploymentFailed: 'DeploymentFailed',
  deploymentFailedUnrecorded: 'DeploymentFailedUnrecorded',
} as const;

/**
 * The Lambda functions, by their folder under functions/ (each holds
 * handler.ts); the name also goes into every log line as `step`.
 */
export const STEP = {
  startDeployment: 'start-deployment',
  getDeployment: 'get-deployment',
  prepare: 'prepare',
  resolveImage: 'resolve-image',
  registerTaskDefinition: 'register-task-definition',
  updateService: 'update-service',
  awaitRollout: 'await-rollout',
  checkRollout: 'check-rollout',
  rolloutEvents: 'rollout-events',
  verifyTargets: 'verify-targets',
  verifyChecks: 'verify-checks',
  rollback: 'rollback',
  finalize: 'finalize',
  recordFailure: 'record-failure',
  /** Not a state: records what no Catch could (timeouts, aborts), from Step Functions' status events. */
  recordOutcome: 'record-outcome',
} as const;

export type StepName = (typeof STEP)[keyof typeof STEP];

/**
 * Where each step's result lands in the execution state (JSONPath). The step
 * inputs below (`PrepareInput`, `VerifyChecksInput`, …) are assembled from
 * these paths by the state machine construct.
 */
export const STATE_PATH = {
  request: '$.request',
  deployment: '$.deployment',
  build: '$.build',
  image: '$.image',
  taskDefinition: '$.taskDefinition',
  rollout: '$.rollout',
  verification: '$.verification',
  summary: '$.summary',
  rollback: '$.rollback',
  rollbackRollout: '$.rollback.rollout',
  error: '$.error',
  buildError: '$.buildError',
  rollbackError: '$.rollbackError',
  recordError: '$.recordError',
  failure: '$.failure',
} as const;
