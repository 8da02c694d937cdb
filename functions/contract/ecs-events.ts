/**
 * The ECS events the rollout wait listens to (EventBridge, source `aws.ecs`):
 * the pipeline stack's rules match them and the rollout-events function reads them.
 */
export const ECS_EVENTS = {
  source: 'aws.ecs',
  /** `resources`: the service's ARN; `detail.deploymentId`, `detail.eventName`. */
  deploymentStateChange: 'ECS Deployment State Change',
  /** `resources`: the task's ARN; `detail.group` = `service:<name>`, `detail.clusterArn`, `detail.lastStatus`. */
  taskStateChange: 'ECS Task State Change',
  /** Task statuses worth a heartbeat: a task came up, or went (or was told to go) away. */
  heartbeatStatuses: ['RUNNING', 'STOPPED'],
} as const;
