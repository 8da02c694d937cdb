import { randomUUID } from 'node:crypto';
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { formatArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { QueryService } from '../../http/query-protocol.js';

export interface ProvisionedStack {
  name: string;
  description?: string;
  template: unknown;
  outputs: { key: string; value: string; description?: string; exportName?: string }[];
  resources: { logicalId: string; physicalId: string; type: string }[];
}

interface StoredStack extends ProvisionedStack {
  id: string;
  createdAt: Date;
  status: StackStatus;
}

const validation = (message: string) => new AwsError('ValidationError', message);

/**
 * CloudFormation, read-only: the stacks the local cloud provisioned from a
 * cloud assembly, with their outputs and resources, so tools find what a
 * deployment created exactly as they would on AWS (DescribeStacks' outputs).
 * Stacks are created by provisioning, not by CreateStack.
 */
export class CloudFormation {
  readonly stores = new RegionalStores(() => new Map<string, StoredStack>());

  /** Records a stack provisioning created (replacing an earlier one of the same name). */
  record(scope: Scope, stack: ProvisionedStack): void {
    const id = formatArn(scope, 'cloudformation', `stack/${stack.name}/${randomUUID()}`);
    this.stores.of(scope).set(stack.name, { ...stack, id, createdAt: new Date(), status: 'CREATE_COMPLETE' });
  }

  /** By name or stack ARN; AWS answers a missing stack with a ValidationError. */
  private stack(scope: Scope, ref: string | undefined): StoredStack {
    const store = this.stores.of(scope);
    const found = [...store.values()].find((s) => s.name === ref || s.id === ref);
    if (!found) throw validation(`Stack with id ${ref ?? ''} does not exist`);
    return found;
  }

  private shape(s: StoredStack): Stack {
    return {
      StackId: s.id,
      StackName: s.name,
      ...(s.description ? { Description: s.description } : {}),
      CreationTime: s.createdAt,
      StackStatus: s.status,
      DisableRollback: false,
      NotificationARNs: [],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      Tags: [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' as const },
      Outputs: s.outputs.map((o) => ({
        OutputKey: o.key,
        OutputValue: o.value,
        ...(o.description ? { Description: o.description } : {}),
        ...(o.exportName ? { ExportName: o.exportName } : {}),
      })),
    };
  }

  readonly api: QueryService = {
    name: 'CloudFormation',
    namespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    version: '2010-05-15',
    operations: new OperationTable([
      define(DescribeStacksCommand, (input, ctx) => {
        const stacks = input.StackName
          ? [this.stack(ctx, input.StackName)]
          : [...this.stores.of(ctx).values()];
        const page = paginate(stacks, {
          token: input.NextToken,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'NextToken',
          context: `DescribeStacks:${input.StackName}`,
          invalidToken: validation,
          invalidSize: validation,
        });
        return {
          Stacks: page.items.map((s) => this.shape(s)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(ListStacksCommand, (input, ctx) => {
        const filter = input.StackStatusFilter ?? [];
        const stacks = [...this.stores.of(ctx).values()].filter(
          (s) => filter.length === 0 || filter.includes(s.status),
        );
        const page = paginate(stacks, {
          token: input.NextToken,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'NextToken',
          context: `ListStacks:${filter.join(',')}`,
          invalidToken: validation,
          invalidSize: validation,
        });
        return {
          StackSummaries: page.items.map((s) => ({
            StackId: s.id,
            StackName: s.name,
            ...(s.description ? { TemplateDescription: s.description } : {}),
            CreationTime: s.createdAt,
            StackStatus: s.status,
            DriftInformation: { StackDriftStatus: 'NOT_CHECKED' as const },
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(DescribeStackResourcesCommand, (input, ctx) => {
        if (!input.StackName && !input.PhysicalResourceId)
          throw validation('Either StackName or PhysicalResourceId must be specified.');
        const stacks = input.StackName
          ? [this.stack(ctx, input.StackName)]
          : [...this.stores.of(ctx).values()].filter((s) =>
              s.resources.some((r) => r.physicalId === input.PhysicalResourceId),
            );
        if (stacks.length === 0) throw validation(`Stack for ${input.PhysicalResourceId} does not exist`);
        return {
          StackResources: stacks.flatMap((s) =>
            s.resources
              .filter((r) => !input.LogicalResourceId || r.logicalId === input.LogicalResourceId)
              .filter((r) => !input.PhysicalResourceId || r.physicalId === input.PhysicalResourceId)
              .map((r) => ({
                StackName: s.name,
                StackId: s.id,
                LogicalResourceId: r.logicalId,
                PhysicalResourceId: r.physicalId,
                ResourceType: r.type,
                Timestamp: s.createdAt,
                ResourceStatus: 'CREATE_COMPLETE' as const,
                DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' as const },
              })),
          ),
        };
      }),
      define(ListStackResourcesCommand, (input, ctx) => {
        const stack = this.stack(ctx, input.StackName);
        const page = paginate(stack.resources, {
          token: input.NextToken,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'NextToken',
          context: `ListStackResources:${stack.id}`,
          invalidToken: validation,
          invalidSize: validation,
        });
        return {
          StackResourceSummaries: page.items.map((r) => ({
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            LastUpdatedTimestamp: stack.createdAt,
            ResourceStatus: 'CREATE_COMPLETE' as const,
            DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' as const },
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(GetTemplateCommand, (input, ctx) => {
        // No change sets are made locally; awsQuery names the error by its code, without "Exception".
        if (input.ChangeSetName)
          throw new AwsError('ChangeSetNotFound', `ChangeSet [${input.ChangeSetName}] does not exist`, 404);
        const stack = this.stack(ctx, input.StackName);
        return {
          TemplateBody: JSON.stringify(stack.template),
          StagesAvailable: ['Original' as const, 'Processed' as const],
        };
      }),
      define(ListExportsCommand, (input, ctx) => {
        const exports = [...this.stores.of(ctx).values()].flatMap((s) =>
          s.outputs
            .filter((o) => o.exportName)
            .map((o) => ({ ExportingStackId: s.id, Name: o.exportName, Value: o.value })),
        );
        const page = paginate(exports, {
          token: input.NextToken,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'NextToken',
          context: 'ListExports',
          invalidToken: validation,
          invalidSize: validation,
        });
        return { Exports: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      }),
    ]),
  };
}
