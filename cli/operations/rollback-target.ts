import type { DeploymentRecord } from '../../functions/commons/records.js';
import { RecordStore } from '../../functions/commons/records.js';
import { TASK_DEFINITION } from '../../functions/contract/request.js';
import type { ServiceModel } from '../../manifest/model.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { revisionOf } from '../render/format.js';
import type { Session } from '../session.js';
import { serviceHistory } from './records.js';
import { describeEcsService } from './service-status.js';

/** Where a rollback goes, and why there. */
export interface RollbackTarget {
  taskDefinitionArn: string;
  /** The running revision it replaces. */
  from: string;
  /** The verified deployment that ran it, when known. */
  deployment?: DeploymentRecord;
  basis: 'last-verified' | 'deployment' | 'revision';
}

/** How many records the default looks back for the last verified revision. */
const LOOK_BACK = 200;

/**
 * The revision to roll back to: by default the newest verified (SUCCEEDED)
 * deployment's revision other than the running one; or the one `to` names —
 * a deployment id from the records (a verified one), a revision number of
 * the service's family, `family:revision`, or a task definition ARN.
 */
export async function rollbackTarget(
  session: Session,
  model: ServiceModel,
  to: string | undefined,
): Promise<RollbackTarget> {
  const service = await describeEcsService(session, model);
  const from = service.taskDefinition ?? '';
  const family = revisionOf(from).replace(/:\d+$/, '');
  const target =
    to === undefined ? await lastVerified(session, model, from) : await named(session, model, to, family);
  if (target.taskDefinitionArn === from || revisionOf(target.taskDefinitionArn) === revisionOf(from))
    throw new UsageError(
      `${model.name} already runs ${revisionOf(from)}; name another with --to (stepship history ${model.name} lists them)`,
    );
  return { ...target, from };
}

async function lastVerified(
  session: Session,
  model: ServiceModel,
  running: string,
): Promise<Omit<RollbackTarget, 'from'>> {
  const { records } = await serviceHistory(
    session.clients.dynamodb,
    session.resources.recordsTable,
    model.name,
    LOOK_BACK,
  );
  const record = records.find(
    (r) => r.status === 'SUCCEEDED' && r.taskDefinitionArn && r.taskDefinitionArn !== running,
  );
  if (!record?.taskDefinitionArn)
    throw new CommandFailedError(
      `No earlier verified deployment of ${model.name} to roll back to (stepship history ${model.name}); name a revision with --to`,
    );
  return { taskDefinitionArn: record.taskDefinitionArn, deployment: record, basis: 'last-verified' };
}

async function named(
  session: Session,
  model: ServiceModel,
  to: string,
  family: string,
): Promise<Omit<RollbackTarget, 'from'>> {
  if (/^\d{1,9}$/.test(to)) return { taskDefinitionArn: `${family}:${Number(to)}`, basis: 'revision' };
  if (TASK_DEFINITION.test(to) && /:\d+$/.test(to)) return { taskDefinitionArn: to, basis: 'revision' };
  const store = new RecordStore(session.clients.dynamodb, session.resources.recordsTable);
  const record = /^[A-Za-z0-9_-]{1,80}$/.test(to) ? await store.getRecord(to) : undefined;
  if (!record || record.service !== model.name)
    throw new UsageError(
      `--to names no deployment of ${model.name} nor a revision: "${to}". Give a deployment id (stepship history ${model.name}), a revision number, family:revision or a task definition ARN`,
    );
  if (record.status !== 'SUCCEEDED' || !record.taskDefinitionArn)
    throw new UsageError(
      `Deployment ${to} ${record.status}: its revision was never verified. Roll back to a SUCCEEDED one (stepship history ${model.name})`,
    );
  return { taskDefinitionArn: record.taskDefinitionArn, deployment: record, basis: 'deployment' };
}
