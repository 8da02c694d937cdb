import type { Target } from '@aws-sdk/client-eventbridge';
import type { Pattern } from './pattern.js';

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface Rule {
  name: string;
  arn: string;
  eventBusName: string;
  /** As the caller wrote it (AWS answers it back verbatim), with its parsed form for matching. */
  eventPattern?: { text: string; parsed: Pattern };
  /** Stored and described; schedules don't fire locally. */
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  targets: (Target & { Id: string; Arn: string })[];
  createdBy: string;
}

export const DEFAULT_BUS = 'default';

/** EventBridge's state in one account and region: the default bus and its rules, by name. */
export class EventsStore {
  readonly buses = new Map<string, Map<string, Rule>>([[DEFAULT_BUS, new Map()]]);
}
