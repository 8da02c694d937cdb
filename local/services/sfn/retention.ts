import type { SfnStore } from './store.js';

/** The finished executions (and their histories) kept per state machine. */
export const FINISHED_EXECUTIONS_KEPT = 1000;

/**
 * Forgets a state machine's oldest finished executions beyond `kept`, so a
 * long-lived local cloud's histories stay bounded (AWS keeps them 90 days;
 * nobody runs a local cloud that long, but it may run many executions).
 * Running executions are never forgotten.
 */
export function forgetOldExecutions(
  store: SfnStore,
  machineArn: string,
  kept = FINISHED_EXECUTIONS_KEPT,
): void {
  const finished = [...store.executions.values()].filter(
    (e) => e.machine.arn === machineArn && e.status !== 'RUNNING',
  );
  if (finished.length <= kept) return;
  finished.sort((a, b) => (a.stopDate?.getTime() ?? 0) - (b.stopDate?.getTime() ?? 0));
  for (const execution of finished.slice(0, finished.length - kept)) store.executions.delete(execution.arn);
}
