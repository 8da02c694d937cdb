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
  /**
   * The `stoppedReason` of a task a rolling deployment scales in, as ECS words
   * it: "Scaling activity initiated by (deployment ecs-svc/…)". Its STOPPED is
   * the rollout going as planned, which the deployment's own events tell.
   */
  scaleInReasonPrefix: 'Scaling activity initiated by',
} as const;
