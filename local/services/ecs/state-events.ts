import type { Scope } from '../../core/scope.js';
import type { CloudEvent } from '../events/provider.js';
import { taskShape } from './shapes.js';
import type { Deployment, Service, Task, TaskDefinition } from './store.js';

/** Where ECS sends its events (EventBridge's default bus in the task's or service's account and region). */
export type EventPublisher = (scope: Scope, event: CloudEvent) => void;

export type DeploymentEventName =
  | 'SERVICE_DEPLOYMENT_IN_PROGRESS'
  | 'SERVICE_DEPLOYMENT_COMPLETED'
  | 'SERVICE_DEPLOYMENT_FAILED';

/**
 * ECS's events on EventBridge, as the developer guide shapes them: "ECS
 * Deployment State Change" for a service's deployments and "ECS Task State
 * Change" for its tasks, source `aws.ecs`. They are sent the moment the
 * scheduler or the task launcher changes state; a failure to send one is
 * dropped here, so it never reaches the scheduler.
 */
export class EcsStateEvents {
  private publish: EventPublisher | undefined;

  constructor(private readonly definitionOf: (task: Task) => TaskDefinition | undefined) {}

  /** Connects ECS to the bus; until then its events go nowhere. */
  publishTo(publish: EventPublisher): void {
    this.publish = publish;
  }

  deployment(service: Service, deployment: Deployment, eventName: DeploymentEventName, reason: string): void {
    this.send(service.scope, () => ({
      source: 'aws.ecs',
      'detail-type': 'ECS Deployment State Change',
      resources: [service.serviceArn],
      detail: {
        eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
        eventName,
        deploymentId: deployment.id,
        updatedAt: deployment.updatedAt.toISOString(),
        reason,
      },
    }));
  }

  /** A task's lastStatus or desiredStatus changed: the task as DescribeTasks shapes it, at this moment. */
  task(task: Task): void {
    this.send(task.scope, () => {
      const updatedAt = new Date();
      return {
        source: 'aws.ecs',
        'detail-type': 'ECS Task State Change',
        resources: [task.taskArn],
        time: updatedAt,
        detail: { ...taskDetail(task, this.definitionOf(task)), updatedAt: updatedAt.toISOString() },
      };
    });
  }

  private send(scope: Scope, event: () => CloudEvent): void {
    if (!this.publish) return;
    try {
      this.publish(scope, event());
    } catch {
      // An event that can't be sent is lost, as a missed delivery would be; the scheduler carries on.
    }
  }
}

/**
 * The event's detail: DescribeTasks' shape with timestamps as ISO strings,
 * and without health, which "is not provided in the task state change
 * event" (the developer guide: DescribeTasks has it).
 */
function taskDetail(task: Task, definition: TaskDefinition | undefined): Record<string, unknown> {
  const { healthStatus: _health, containers, ...rest } = taskShape(task, definition);
  const detail = {
    ...rest,
    containers: (containers ?? []).map(({ healthStatus: _containerHealth, ...container }) => container),
  };
  // Through JSON, as EventBridge carries it: dates become ISO strings, absent members go.
  return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
}
