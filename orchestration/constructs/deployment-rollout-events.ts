import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ECS_EVENTS } from '../../functions/contract/ecs-events.js';
import type { PipelineTarget } from './pipeline-target.js';

export interface RolloutEventRulesProps {
  /** Only these services' events are sent. */
  targets: PipelineTarget[];
  /** The rollout-events function. */
  handler: lambda.IFunction;
}

/**
 * ECS's own events for the app's services, to the function that resumes the
 * rollout waits: every deployment state change (it settles a wait), and of
 * the task state changes only those a wait needs — a task that came up
 * (RUNNING, meant to run: a heartbeat) and a task that stopped for any other
 * reason than a deployment scaling it in (a failure: exited, failed its
 * health checks, failed to start). Old tasks stopped as planned and the
 * intermediate statuses reach no function, so a rollout costs about one
 * invocation per new task instead of one per change of every task.
 */
export class RolloutEventRules extends Construct {
  readonly deploymentRule: events.Rule;
  readonly taskRule: events.Rule;

  constructor(scope: Construct, id: string, props: RolloutEventRulesProps) {
    super(scope, id);
    // An event is worth little once the wait it could settle has fallen back to a check.
    const target = () =>
      new eventTargets.LambdaFunction(props.handler, { retryAttempts: 2, maxEventAge: Duration.minutes(15) });
    this.deploymentRule = new events.Rule(this, 'DeploymentStateChange', {
      description: "stepship: the app's ECS deployment state changes, to resume rollout waits",
      eventPattern: {
        source: [ECS_EVENTS.source],
        detailType: [ECS_EVENTS.deploymentStateChange],
        resources: props.targets.map((t) => t.service.serviceArn),
      },
      targets: [target()],
    });
    this.taskRule = new events.Rule(this, 'TaskStateChange', {
      description: "stepship: the app's service tasks coming up (heartbeats) or failing, for rollout waits",
      eventPattern: {
        source: [ECS_EVENTS.source],
        detailType: [ECS_EVENTS.taskStateChange],
        detail: {
          clusterArn: [...new Set(props.targets.map((t) => t.cluster.clusterArn))],
          group: props.targets.map((t) => `service:${t.serviceName}`),
          $or: [
            { lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] },
            {
              lastStatus: ['STOPPED'],
              stoppedReason: [{ 'anything-but': { prefix: ECS_EVENTS.scaleInReasonPrefix } }],
            },
          ],
        },
      },
      targets: [target()],
    });
  }
}
