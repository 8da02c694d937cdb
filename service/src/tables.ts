import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface TableListing {
  tables: string[];
  /** True when the listing stopped at the page cap with more names left. */
  truncated: boolean;
}

export type ListTables = () => Promise<TableListing>;

/** ListTables pages hold at most 100 names; 10 pages is far beyond a dashboard's needs. */
export const MAX_PAGES = 10;

/**
 * Lists table names with the default credential chain and the region from the
 * environment, following `LastEvaluatedTableName` up to `maxPages` pages.
 */
export function dynamoTableLister(client: DynamoDBClient, maxPages = MAX_PAGES): ListTables {
  return async () => {
    const tables: string[] = [];
    let start: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      tables.push(...(out.TableNames ?? []));
      start = out.LastEvaluatedTableName;
      if (!start) return { tables, truncated: false };
    }
    return { tables, truncated: true };
  };
}

/** A client that fails within seconds rather than hanging a request when DynamoDB is unreachable. */
export function createDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}
