import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  type Parameter,
  type ParameterMetadata,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { arns, parseArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import { parameterFilter, underPath } from './filters.js';

interface StoredParameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  description?: string;
  /** The KMS key a SecureString is encrypted with (AWS's managed key unless one was named). */
  keyId?: string;
  dataType: string;
  lastModifiedDate: Date;
}

const NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;
const MAX_VALUE = 4096;
const invalid = (message: string) => new AwsError('ValidationException', message);

/**
 * SSM Parameter Store: what task definitions' `secrets` (valueFrom an SSM
 * parameter) read when tasks start, and what users put there with the CLI.
 * SecureString values are stored as given (there is no KMS locally) and
 * returned only WithDecryption, as on AWS.
 */
export class Ssm {
  readonly stores = new RegionalStores(() => new Map<string, StoredParameter>());

  /** A parameter's value by name or ARN (what ECS resolves for a task's secret), or undefined. */
  valueOf(reference: string, fallback: Scope): string | undefined {
    const arn = parseArn(reference);
    const scope = arn ? { accountId: arn.accountId, region: arn.region } : fallback;
    const store = this.stores.of(scope);
    if (!arn) return store.get(reference)?.value;
    // An ARN drops the leading slash of a hierarchical name: `parameter/a/b` is `/a/b`, `parameter/x` is `x` or `/x`.
    const rest = arn.resource.replace(/^parameter\//, '');
    return (store.get(`/${rest}`) ?? store.get(rest))?.value;
  }

  private parameter(store: Map<string, StoredParameter>, name: string): StoredParameter {
    const found = store.get(name);
    if (!found) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return found;
  }

  private shape(scope: Scope, p: StoredParameter, decrypt: boolean): Parameter {
    return {
      Name: p.name,
      Type: p.type,
      Value: p.type === 'SecureString' && !decrypt ? encrypted(p.value) : p.value,
      Version: p.version,
      LastModifiedDate: p.lastModifiedDate,
      ARN: arns.ssmParameter(scope, p.name),
      DataType: p.dataType,
    };
  }

  readonly api: JsonService = {
    name: 'SSM',
    targetPrefix: 'AmazonSSM',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(PutParameterCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const name = checkName(input.Name ?? '');
        const value = input.Value ?? '';
        if (value.length === 0 || value.length > MAX_VALUE)
          throw invalid(`Parameter value must be 1–${MAX_VALUE} characters (standard tier).`);
        const existing = store.get(name);
        if (existing && !input.Overwrite)
          throw new AwsError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        const type = input.Type ?? existing?.type;
        if (type === undefined) throw invalid('A parameter type is required when you create a parameter.');
        if (!['String', 'StringList', 'SecureString'].includes(type))
          throw invalid(`Type must be String, StringList or SecureString (got ${type}).`);
        if (existing && type !== existing.type)
          throw new AwsError(
            'HierarchyTypeMismatchException',
            `Parameter Store doesn't support changing a parameter type (${existing.type} to ${type}); create a new, unique parameter.`,
          );
        const parameter: StoredParameter = {
          name,
          type: type as StoredParameter['type'],
          value,
          version: (existing?.version ?? 0) + 1,
          ...((input.Description ?? existing?.description)
            ? { description: input.Description ?? existing?.description }
            : {}),
          ...(type === 'SecureString' ? { keyId: input.KeyId ?? existing?.keyId ?? 'alias/aws/ssm' } : {}),
          dataType: input.DataType ?? 'text',
          lastModifiedDate: new Date(),
        };
        store.set(name, parameter);
        return { Version: parameter.version, Tier: 'Standard' as const };
      }),
      define(GetParameterCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        return {
          Parameter: this.shape(ctx, this.parameter(store, input.Name ?? ''), input.WithDecryption ?? false),
        };
      }),
      define(GetParametersCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const names = input.Names ?? [];
        if (names.length < 1 || names.length > 10) throw invalid('Names must hold 1 to 10 parameter names.');
        const found = names.map((n) => store.get(n));
        return {
          Parameters: found
            .filter((p): p is StoredParameter => p !== undefined)
            .map((p) => this.shape(ctx, p, input.WithDecryption ?? false)),
          InvalidParameters: names.filter((_, i) => !found[i]),
        };
      }),
      define(GetParametersByPathCommand, (input, ctx) => {
        const path = input.Path ?? '';
        if (!path.startsWith('/')) throw invalid('The path must begin with a forward slash (/).');
        const filtered = parameterFilter('GetParametersByPath', input.ParameterFilters);
        const matching = [...this.stores.of(ctx).values()]
          .filter((p) => underPath(p.name, path, input.Recursive === true) && filtered(p))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(matching, {
          token: input.NextToken,
          size: input.MaxResults,
          defaultSize: 10,
          maxSize: 10,
          sizeMember: 'MaxResults',
          context: `GetParametersByPath:${JSON.stringify([path, input.Recursive, input.ParameterFilters])}`,
          invalidToken: (m) => new AwsError('InvalidNextToken', m),
          invalidSize: invalid,
        });
        return {
          Parameters: page.items.map((p) => this.shape(ctx, p, input.WithDecryption ?? false)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(DescribeParametersCommand, (input, ctx) => {
        const filtered = parameterFilter('DescribeParameters', input.ParameterFilters, input.Filters);
        const all = [...this.stores.of(ctx).values()]
          .filter(filtered)
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(all, {
          token: input.NextToken,
          size: input.MaxResults,
          defaultSize: 50,
          maxSize: 50,
          sizeMember: 'MaxResults',
          context: `DescribeParameters:${JSON.stringify([input.ParameterFilters, input.Filters])}`,
          invalidToken: (m) => new AwsError('InvalidNextToken', m),
          invalidSize: invalid,
        });
        const metadata: ParameterMetadata[] = page.items.map((p) => ({
          Name: p.name,
          ARN: arns.ssmParameter(ctx, p.name),
          Type: p.type,
          ...(p.keyId ? { KeyId: p.keyId } : {}),
          Version: p.version,
          LastModifiedDate: p.lastModifiedDate,
          Tier: 'Standard',
          DataType: p.dataType,
          Policies: [],
          ...(p.description ? { Description: p.description } : {}),
        }));
        return { Parameters: metadata, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      }),
      define(DeleteParameterCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const parameter = this.parameter(store, input.Name ?? '');
        store.delete(parameter.name);
        return {};
      }),
      define(DeleteParametersCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const names = input.Names ?? [];
        if (names.length < 1 || names.length > 10) throw invalid('Names must hold 1 to 10 parameter names.');
        const deleted = names.filter((n) => store.delete(n));
        return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
      }),
    ]),
  };
}

/** Names are stored as given; a name with a slash anywhere must start with one (AWS's hierarchy rule). */
function checkName(name: string): string {
  if (!NAME.test(name))
    throw invalid(`Parameter name "${name.slice(0, 64)}" must be 1–2048 of a-z A-Z 0-9 _ . - /`);
  if (name.includes('/') && !name.startsWith('/'))
    throw invalid(
      'Parameter name: a name with a forward slash must begin with one (a fully qualified name).',
    );
  if (name.split('/').length - 1 > 15)
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels; this name has more.',
    );
  if (/^\/?(aws|ssm)/i.test(name))
    throw invalid('Parameter name: names beginning with "aws" or "ssm" are reserved.');
  return name;
}

/** What GetParameter shows of a SecureString without WithDecryption: ciphertext, not the value. */
function encrypted(value: string): string {
  return Buffer.from(`stepship-local-kms:${value.length}`).toString('base64');
}
