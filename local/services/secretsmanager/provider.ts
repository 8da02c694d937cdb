import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { arns, parseArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';

interface SecretVersion {
  id: string;
  value: { string?: string; binary?: Uint8Array };
  stages: Set<string>;
  createdAt: Date;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  createdAt: Date;
  changedAt: Date;
  deletedAt?: Date;
  versions: SecretVersion[];
}

const NAME = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;
const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const notFound = () =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

/**
 * Secrets Manager: secrets with versions and stages (AWSCURRENT,
 * AWSPREVIOUS), what task definitions' `secrets` (valueFrom a secret,
 * optionally one JSON key of it) read when tasks start.
 */
export class SecretsManager {
  readonly stores = new RegionalStores(() => new Map<string, StoredSecret>());

  /**
   * What ECS puts in a task's environment for `valueFrom`: the secret's
   * current string, or one JSON key of it (`arn:…:secret:name-AbCdEf:key::`).
   */
  valueOf(reference: string, fallback: Scope): string | undefined {
    const arn = parseArn(reference);
    const scope = arn ? { accountId: arn.accountId, region: arn.region } : fallback;
    const [secretArnOrName, jsonKey] = arn
      ? [reference.split(':').slice(0, 7).join(':'), reference.split(':')[7]]
      : [reference, undefined];
    const secret = this.find(this.stores.of(scope), secretArnOrName);
    const current = secret?.versions.find((v) => v.stages.has('AWSCURRENT'))?.value.string;
    if (current === undefined || secret?.deletedAt) return undefined;
    if (!jsonKey) return current;
    try {
      const value = (JSON.parse(current) as Record<string, unknown>)[jsonKey];
      return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
    } catch {
      return undefined;
    }
  }

  /** By name, full ARN, or partial ARN (without the random suffix), as Secrets Manager resolves a SecretId. */
  private find(store: Map<string, StoredSecret>, id: string): StoredSecret | undefined {
    for (const secret of store.values())
      if (secret.name === id || secret.arn === id || secret.arn.startsWith(`${id}-`)) return secret;
    return undefined;
  }

  private secret(store: Map<string, StoredSecret>, id: string): StoredSecret {
    return (
      this.find(store, id) ??
      (() => {
        throw notFound();
      })()
    );
  }

  private addVersion(secret: StoredSecret, value: SecretVersion['value'], token?: string): SecretVersion {
    const previous = secret.versions.find((v) => v.stages.has('AWSCURRENT'));
    for (const v of secret.versions) v.stages.delete('AWSPREVIOUS');
    if (previous) {
      previous.stages.delete('AWSCURRENT');
      previous.stages.add('AWSPREVIOUS');
    }
    const version: SecretVersion = {
      id: token ?? randomUUID(),
      value,
      stages: new Set(['AWSCURRENT']),
      createdAt: new Date(),
    };
    secret.versions = [...secret.versions.filter((v) => v.stages.size > 0), version];
    secret.changedAt = new Date();
    return version;
  }

  private entry(s: StoredSecret): SecretListEntry {
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description ? { Description: s.description } : {}),
      CreatedDate: s.createdAt,
      LastChangedDate: s.changedAt,
      ...(s.deletedAt ? { DeletedDate: s.deletedAt } : {}),
      SecretVersionsToStages: Object.fromEntries(s.versions.map((v) => [v.id, [...v.stages]])),
    };
  }

  readonly api: JsonService = {
    name: 'Secrets Manager',
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    codes: { missing: 'InvalidParameterException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(CreateSecretCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const name = input.Name ?? '';
        if (!NAME.test(name)) throw invalid('The secret name must be 1–512 of a-z A-Z 0-9 / _ + = . @ -');
        if (store.has(name))
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        if (input.SecretString !== undefined && input.SecretBinary !== undefined)
          throw invalid(
            "You can't specify both a binary secret value and a string secret value in the same secret.",
          );
        const now = new Date();
        const secret: StoredSecret = {
          name,
          arn: arns.secret(ctx, name, randomBytes(4).toString('base64url').slice(0, 6)),
          ...(input.Description ? { description: input.Description } : {}),
          createdAt: now,
          changedAt: now,
          versions: [],
        };
        store.set(name, secret);
        const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
        const version = hasValue
          ? this.addVersion(
              secret,
              { string: input.SecretString, binary: input.SecretBinary },
              input.ClientRequestToken,
            )
          : undefined;
        return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.id } : {}) };
      }),
      define(PutSecretValueCommand, (input, ctx) => {
        const secret = this.secret(this.stores.of(ctx), input.SecretId ?? '');
        if (secret.deletedAt)
          throw new AwsError(
            'InvalidRequestException',
            "You can't perform this operation on the secret because it was marked for deletion.",
          );
        const version = this.addVersion(
          secret,
          { string: input.SecretString, binary: input.SecretBinary },
          input.ClientRequestToken,
        );
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          VersionStages: [...version.stages],
        };
      }),
      define(GetSecretValueCommand, (input, ctx) => {
        const secret = this.secret(this.stores.of(ctx), input.SecretId ?? '');
        if (secret.deletedAt)
          throw new AwsError(
            'InvalidRequestException',
            "You can't perform this operation on the secret because it was marked for deletion.",
          );
        const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
        const version = secret.versions.find(
          (v) => (input.VersionId ? v.id === input.VersionId : true) && (!stage || v.stages.has(stage)),
        );
        if (!version) throw notFound();
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          ...(version.value.string !== undefined ? { SecretString: version.value.string } : {}),
          ...(version.value.binary !== undefined ? { SecretBinary: version.value.binary } : {}),
          VersionStages: [...version.stages],
          CreatedDate: version.createdAt,
        };
      }),
      define(DescribeSecretCommand, (input, ctx) => {
        const secret = this.secret(this.stores.of(ctx), input.SecretId ?? '');
        return {
          ...this.entry(secret),
          VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.id, [...v.stages]])),
        };
      }),
      define(ListSecretsCommand, (input, ctx) => {
        const all = [...this.stores.of(ctx).values()]
          .filter((s) => input.IncludePlannedDeletion || !s.deletedAt)
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(all, {
          token: input.NextToken,
          size: input.MaxResults,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'MaxResults',
          context: `ListSecrets:${input.IncludePlannedDeletion}`,
          invalidToken: (m) => new AwsError('InvalidNextTokenException', m),
          invalidSize: invalid,
        });
        return {
          SecretList: page.items.map((s) => this.entry(s)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(DeleteSecretCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const secret = this.secret(store, input.SecretId ?? '');
        const window = input.RecoveryWindowInDays ?? 30;
        if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined)
          throw invalid("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        if (!input.ForceDeleteWithoutRecovery && (window < 7 || window > 30))
          throw invalid('The recovery window must be from 7 to 30 days.');
        const deletionDate = input.ForceDeleteWithoutRecovery
          ? new Date()
          : new Date(Date.now() + window * 86_400_000);
        if (input.ForceDeleteWithoutRecovery) store.delete(secret.name);
        else secret.deletedAt = new Date();
        return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate };
      }),
    ]),
  };
}
