import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  type ExecutionListItem,
  type HistoryEvent,
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  paginateListExecutions,
  paginateListStateMachines,
  type StateMachineListItem,
} from '@aws-sdk/client-sfn';
import type { ConsoleClients } from './clients.js';

export interface ExecutionRecord {
  execution: Omit<DescribeExecutionCommandOutput, '$metadata'>;
  /** The ASL of the execution's state machine. */
  definition: string;
  events: HistoryEvent[];
}

/**
 * An execution with its whole history. The status is read first: once it
 * says the execution is over, the history read after it is complete (the
 * other order could pair a final status with a history missing its end).
 */
export async function readExecution(clients: ConsoleClients, executionArn: string): Promise<ExecutionRecord> {
  const { $metadata: _, ...execution } = await clients.sfn.send(
    new DescribeExecutionCommand({ executionArn }),
  );
  const [machine, events] = await Promise.all([
    clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineArn })),
    readHistory(clients, executionArn),
  ]);
  return { execution, definition: machine.definition ?? '{}', events };
}

async function readHistory(clients: ConsoleClients, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory(
    { client: clients.sfn, pageSize: 1000 },
    { executionArn, includeExecutionData: true },
  ))
    events.push(...(page.events ?? []));
  return events;
}

export interface MachineExecutions {
  machine: StateMachineListItem;
  executions: ExecutionListItem[];
}

/** Every state machine with its most recent executions (newest first, as ListExecutions answers). */
export async function readMachineExecutions(
  clients: ConsoleClients,
  perMachine = 50,
): Promise<MachineExecutions[]> {
  const machines: StateMachineListItem[] = [];
  for await (const page of paginateListStateMachines({ client: clients.sfn }, {}))
    machines.push(...(page.stateMachines ?? []));
  return Promise.all(
    machines.map(async (machine) => {
      const executions: ExecutionListItem[] = [];
      for await (const page of paginateListExecutions(
        { client: clients.sfn, pageSize: Math.min(perMachine, 1000) },
        { stateMachineArn: machine.stateMachineArn },
      )) {
        executions.push(...(page.executions ?? []));
        if (executions.length >= perMachine) break;
      }
      return { machine, executions: executions.slice(0, perMachine) };
    }),
  );
}

/** Whether any execution of any state machine is running: list pages keep polling while one is. */
export async function anyRunning(clients: ConsoleClients): Promise<boolean> {
  for await (const page of paginateListStateMachines({ client: clients.sfn }, {}))
    for (const machine of page.stateMachines ?? []) {
      const out = await clients.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machine.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 1,
        }),
      );
      if ((out.executions ?? []).length > 0) return true;
    }
  return false;
}
