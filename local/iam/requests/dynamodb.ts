import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { arns, parseArn, scopeOfArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, type Rule, rule, ServiceRules, text } from './rules.js';

/** DynamoDB takes a table by name or ARN. */
const table = (scope: Scope, name: string) => (parseArn(name) ? name : arns.dynamodbTable(scope, name));

/** Reads and writes through an index are authorized on the index: `table/<t>/index/<i>`. */
function tableOrIndex(scope: Scope, name: string, index: string | undefined): string {
  if (!index) return table(scope, name);
  const parsed = parseArn(name);
  return parsed
    ? arns.dynamodbIndex(scopeOfArn(parsed, scope), parsed.resource.replace(/^table\//, ''), index)
    : arns.dynamodbIndex(scope, name, index);
}

/** The request-level condition keys the item operations carry (LeadingKeys and Attributes are not derived). */
const itemKeys = (input: Record<string, unknown>) => ({
  'dynamodb:ReturnValues': text(input.ReturnValues),
  'dynamodb:ReturnConsumedCapacity': text(input.ReturnConsumedCapacity),
  'dynamodb:Select': text(input.Select),
});

const onTable = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, scope, action) => {
    const request = input as Record<string, unknown>;
    return named(request.TableName, (name) => check(action, table(scope, name), itemKeys(request)));
  });

const perTable = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, scope, action) => {
    const request = input as { RequestItems?: unknown; ReturnConsumedCapacity?: unknown };
    const items = request.RequestItems;
    const tables = typeof items === 'object' && items !== null ? Object.keys(items) : [];
    return tables.map((name) =>
      check(action, table(scope, name), {
        'dynamodb:ReturnConsumedCapacity': text(request.ReturnConsumedCapacity),
      }),
    );
  });

const onResourceArn = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, _scope, action) =>
    named((input as { ResourceArn?: unknown }).ResourceArn, (arn) => check(action, arn)),
  );

/** DynamoDB: items and tables on the table's ARN, Query and Scan on an index's when they name one; ListTables on `*`. */
export const dynamodbRules = new ServiceRules('dynamodb', [
  ...[
    GetItemCommand,
    PutItemCommand,
    UpdateItemCommand,
    DeleteItemCommand,
    DescribeTableCommand,
    CreateTableCommand,
    DeleteTableCommand,
    UpdateTableCommand,
    DescribeTimeToLiveCommand,
  ].map(onTable),
  ...[QueryCommand, ScanCommand].map((command) =>
    rule(command, (input, scope, action) => {
      const request = input as unknown as Record<string, unknown>;
      return named(request.TableName, (name) =>
        check(action, tableOrIndex(scope, name, text(request.IndexName)), itemKeys(request)),
      );
    }),
  ),
  ...[BatchGetItemCommand, BatchWriteItemCommand].map(perTable),
  ...[ListTagsOfResourceCommand, TagResourceCommand, UntagResourceCommand].map(onResourceArn),
]);
