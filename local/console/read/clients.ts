import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { AwsCredentialIdentity, HandlerExecutionContext } from '@smithy/types';

/**
 * The operations the console may call: reads only. The console's pages can
 * be opened without a signature, so the clients themselves refuse anything
 * else — a bug in a page can show the wrong thing, never change the cloud.
 */
export const READ_OPERATIONS = new Set([
  'ListStateMachinesCommand',
  'DescribeStateMachineCommand',
  'ListExecutionsCommand',
  'DescribeExecutionCommand',
  'GetExecutionHistoryCommand',
  'ListClustersCommand',
  'DescribeClustersCommand',
  'ListServicesCommand',
  'DescribeServicesCommand',
  'ListTasksCommand',
  'DescribeTasksCommand',
  'DescribeTaskDefinitionCommand',
  'DescribeTargetHealthCommand',
  'ListTablesCommand',
  'ScanCommand',
  'QueryCommand',
  'DescribeLogGroupsCommand',
  'FilterLogEventsCommand',
  'ListFunctionsCommand',
]);

/** The console asked its clients for something other than a read: a defect in the console. */
export class NotReadOnlyError extends Error {
  constructor(command: string) {
    super(`The console is read-only and may not call ${command}`);
    this.name = 'NotReadOnlyError';
  }
}

export interface ConsoleClients {
  sfn: SFNClient;
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  dynamodb: DynamoDBClient;
  logs: CloudWatchLogsClient;
  lambda: LambdaClient;
}

export interface ConsoleTarget {
  /** The endpoint the console reads from: the local cloud's own. */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity;
}

export function consoleClients(target: ConsoleTarget): ConsoleClients {
  // One attempt: the endpoint is on this machine, and a page should say at once that it could not read.
  const config = { ...target, maxAttempts: 1 };
  const clients: ConsoleClients = {
    sfn: new SFNClient(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    dynamodb: new DynamoDBClient(config),
    logs: new CloudWatchLogsClient(config),
    lambda: new LambdaClient(config),
  };
  for (const client of Object.values(clients)) restrictToReads(client);
  return clients;
}

interface StackHolder {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: HandlerExecutionContext) => unknown,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

function restrictToReads(client: StackHolder): void {
  client.middlewareStack.add(
    (next, context) => async (args: unknown) => {
      const command = context.commandName ?? 'an unnamed command';
      if (!READ_OPERATIONS.has(command)) throw new NotReadOnlyError(command);
      return next(args);
    },
    { step: 'initialize', name: 'consoleReadOnly' },
  );
}

export function destroyClients(clients: ConsoleClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
