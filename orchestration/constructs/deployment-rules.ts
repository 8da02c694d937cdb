import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  DEPLOYMENT_EVENT,
  DEPLOYMENT_REQUEST,
  EXECUTION_STATUS_CHANGE,
  STEPSHIP_SOURCE,
} from '../../functions/contract/events.js';
import type { NotifiedEvent } from '../../manifest/model.js';

export interface DeploymentNotifications {
  snsTopicArn: string;
  on: NotifiedEvent[];
}

const DETAIL_TYPE_OF: Record<NotifiedEvent, string> = {
  queued: DEPLOYMENT_EVENT.queued,
  started: DEPLOYMENT_EVENT.started,
  succeeded: DEPLOYMENT_EVENT.succeeded,
  failed: DEPLOYMENT_EVENT.failed,
  'rolled-back': DEPLOYMENT_EVENT.rolledBack,
  superseded: DEPLOYMENT_EVENT.superseded,
};

export interface DeploymentRulesProps {
  appName: string;
  /** The bus the rules listen on: the account's default bus, where Step Functions publishes. */
  eventBus: events.IEventBus;
  stateMachineArn: string;
  startDeployment: lambda.IFunction;
  recordOutcome: lambda.IFunction;
  /** What this app's execution ARNs start with: stepship's events name their execution. */
  executionArnPrefix: string;
  notifications?: DeploymentNotifications | undefined;
}

/** EventBridge retries a failed target with backoff; events older than this are not worth acting on. */
const RETRY = { retryAttempts: 4, maxEventAge: Duration.hours(1) };

/**
 * The EventBridge rules around the deployment workflow (besides the ECR
 * push rule): every end of one of its executions, to record-outcome; and
 * `Stepship Deployment Request` events, to start-deployment.
 */
export class DeploymentRules extends Construct {
  constructor(scope: Construct, id: string, props: DeploymentRulesProps) {
    super(scope, id);
    new events.Rule(this, 'ExecutionEnded', {
      description: `Record how each ${props.appName} deployment execution ended, where no Catch could, and start the next waiting one`,
      eventBus: props.eventBus,
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: {
          stateMachineArn: [props.stateMachineArn],
          // SUCCEEDED too: a safety net for the queue, should Finalize fail to start the waiting deployment.
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [new eventTargets.LambdaFunction(props.recordOutcome, RETRY)],
    });
    // The default bus: where put-events goes without --event-bus-name, and what other
    // accounts' rules and scheduled rules already target; an app-owned bus would add a
    // name every sender must know and a resource policy, for no isolation the source/
    // detail-type match doesn't already give.
    new events.Rule(this, 'DeploymentRequested', {
      description: `Deploy a service of ${props.appName} when a "${DEPLOYMENT_REQUEST}" event names it`,
      eventBus: props.eventBus,
      eventPattern: { detailType: [DEPLOYMENT_REQUEST] },
      targets: [new eventTargets.LambdaFunction(props.startDeployment, RETRY)],
    });
    if (props.notifications) this.notify(props, props.notifications);
  }

  /**
   * The app's own deployment events, to the configured topic. Other stepship
   * apps in the account emit the same source and detail-types; their
   * execution ARNs tell them apart. The topic is the user's: its policy, not
   * this stack, must let EventBridge publish.
   */
  private notify(props: DeploymentRulesProps, notifications: DeploymentNotifications): void {
    new events.Rule(this, 'Notify', {
      description: `Send ${props.appName}'s deployment events (${notifications.on.join(', ')}) to its notification topic`,
      eventBus: props.eventBus,
      eventPattern: {
        source: [STEPSHIP_SOURCE],
        detailType: notifications.on.map((event) => DETAIL_TYPE_OF[event]),
        detail: { executionArn: [{ prefix: props.executionArnPrefix }] },
      },
      targets: [
        new eventTargets.SnsTopic(
          sns.Topic.fromTopicArn(this, 'NotificationTopic', notifications.snsTopicArn),
          RETRY,
        ),
      ],
    });
  }
}
