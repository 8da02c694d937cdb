import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { RECORDS_TABLE } from '../contract/records.js';

/** The deployment waiting for a service's turn, and when it was queued (ISO-8601, milliseconds). */
export interface Waiting {
  deploymentId: string;
  queuedAt: string;
}

/** What offering a deployment to the slot did. */
export type Offer =
  /** It waits now; `displaced` is the older one it took the place of, if any. */
  | { taken: true; displaced?: Waiting }
  /** A newer deployment already waits; the offered one never gets a turn. */
  | { taken: false; newer: Waiting };

const { partitionKey, sortKey } = RECORDS_TABLE;
const slotKey = (service: string) => ({ [partitionKey]: `QUEUE#${service}`, [sortKey]: 'QUEUE' });

/**
 * One waiting place per service, in the records table. Newest wins: only
 * the latest deployment asked for while the service was busy is worth
 * running next, so a queue longer than one would only ever be drained to
 * its last entry. Every change is a conditional write on this one item, so
 * concurrent pushes and the worker taking the next turn serialize here.
 */
export class QueueSlot {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Puts `entry` in the slot unless a newer one holds it (ties go to the
   * later writer). Offering the entry that already waits changes nothing.
   */
  async offer(service: string, entry: Waiting): Promise<Offer> {
    try {
      const out = await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(slotKey(service)),
          UpdateExpression: 'SET deploymentId = :id, queuedAt = :at',
          ConditionExpression: 'attribute_not_exists(#pk) OR queuedAt <= :at',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: marshall({ ':id': entry.deploymentId, ':at': entry.queuedAt }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = out.Attributes ? (unmarshall(out.Attributes) as Waiting) : undefined;
      return old && old.deploymentId !== entry.deploymentId
        ? { taken: true, displaced: { deploymentId: old.deploymentId, queuedAt: old.queuedAt } }
        : { taken: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const newer = await this.peek(service);
      // The newer one was taken away in between: offer again (the slot is free or older now).
      return newer ? { taken: false, newer } : this.offer(service, entry);
    }
  }

  /** The deployment waiting for `service`, if any. */
  async peek(service: string): Promise<Waiting | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(slotKey(service)),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { deploymentId, queuedAt } = unmarshall(out.Item) as Waiting;
    return { deploymentId, queuedAt };
  }

  /** Empties the slot if `deploymentId` still waits in it; false if another took its place meanwhile. */
  async take(service: string, deploymentId: string): Promise<boolean> {
    try {
      await this.ddb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall(slotKey(service)),
          ConditionExpression: 'deploymentId = :id',
          ExpressionAttributeValues: marshall({ ':id': deploymentId }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
