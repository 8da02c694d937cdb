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
import { listed } from './listing.js';
import type { SecretsStore, SecretVersion, StoredSecret } from './store.js';

const NAME = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;
const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const MAX_SECRET_BYTES = 65_536;
const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);
const notFound = () =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const scheduledForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

type SecretValue = SecretVersion['value'];

/**
 * Secrets Manager: secrets with versions and stages (AWSCURRENT,
 * AWSPREVIOUS), what task definitions' `secrets` (valueFrom a secret,
 * optionally one JSON key of it) read when tasks start.
 */
export class SecretsManager {
  readonly stores = new RegionalStores((): SecretsStore => new Map());

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
  private find(store: SecretsStore, id: string): StoredSecret | undefined {
    for (const secret of store.values())
      if (secret.name === id || secret.arn === id || secret.arn.startsWith(`${id}-`)) return secret;
    return undefined;
  }

  private secret(store: SecretsStore, id: string): StoredSecret {
    return (
      this.find(store, id) ??
      (() => {
        throw notFound();
      })()
    );
  }

  /**
   * A new version of `value` with `stages` (AWSCURRENT unless given): each
   * stage moves to it from whichever version held it, and the version that
   * loses AWSCURRENT gets AWSPREVIOUS. A version left with no stage goes.
   * The same `token` with the same value again is that version, unchanged
   * (the call is idempotent); with another value it is refused.
   */
  private addVersion(
    secret: StoredSecret,
    value: SecretValue,
    token: string | undefined,
    stages: string[] = ['AWSCURRENT'],
  ): SecretVersion {
    if (token !== undefined && (token.length < 32 || token.length > 64))
      throw invalid('ClientRequestToken must be 32 to 64 characters long.');
    const existing = token === undefined ? undefined : secret.versions.find((v) => v.id === token);
    if (existing) {
      if (sameValue(existing.value, value)) return existing;
      throw new AwsError(
        'ResourceExistsException',
        `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
      );
    }
    if (stages.length < 1 || stages.length > 20) throw invalid('VersionStages must hold 1 to 20 labels.');
    const version: SecretVersion = {
      id: token ?? randomUUID(),
      value,
      stages: new Set(stages),
      createdAt: new Date(),
    };
    const previous = secret.versions.find((v) => v.stages.has('AWSCURRENT'));
    for (const v of secret.versions) for (const stage of stages) v.stages.delete(stage);
    if (previous && stages.includes('AWSCURRENT')) {
      for (const v of secret.versions) v.stages.delete('AWSPREVIOUS');
      previous.stages.add('AWSPREVIOUS');
    }
    secret.versions = [...secret.versions.filter((v) => v.stages.size > 0), version];
    secret.changedAt = new Date();
    return version;
  }

  private entry(s: StoredSecret): SecretListEntry {
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description ? { Description: s.description } : {}),
      ...(s.tags.length > 0 ? { Tags: s.tags } : {}),
      CreatedDate: s.createdAt,
      LastChangedDate: s.changedAt,
      ...(s.deletedAt ? { DeletedDate: s.deletedAt } : {}),
      SecretVersionsToStages: stagesOf(s),
    };
  }

  /** A secret that may change: not scheduled for deletion. */
  private live(store: SecretsStore, id: string): StoredSecret {
    const secret = this.secret(store, id);
    if (secret.deletedAt) throw scheduledForDeletion();
    return secret;
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
        const value = requestedValue(input);
        const existing = store.get(name);
        if (existing?.deletedAt)
          throw invalidRequest(
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          );
        // The same request again (its ClientRequestToken names a version of the same value) is no new secret.
        const repeated = existing?.versions.find((v) => v.id === input.ClientRequestToken);
        if (existing && repeated && sameValue(repeated.value, value))
          return { ARN: existing.arn, Name: name, VersionId: repeated.id };
        if (existing)
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        const now = new Date();
        const secret: StoredSecret = {
          name,
          arn: arns.secret(ctx, name, secretArnSuffix()),
          ...(input.Description ? { description: input.Description } : {}),
          tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
          createdAt: now,
          changedAt: now,
          versions: [],
        };
        const version = value ? this.addVersion(secret, value, input.ClientRequestToken) : undefined;
        store.set(name, secret);
        return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.id } : {}) };
      }),
      define(PutSecretValueCommand, (input, ctx) => {
        const secret = this.live(this.stores.of(ctx), input.SecretId ?? '');
        const value = requestedValue(input);
        if (!value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
        const version = this.addVersion(secret, value, input.ClientRequestToken, input.VersionStages);
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          VersionStages: [...version.stages],
        };
      }),
      define(GetSecretValueCommand, (input, ctx) => {
        const secret = this.live(this.stores.of(ctx), input.SecretId ?? '');
        const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
        const version = secret.versions.find(
          (v) => (input.VersionId ? v.id === input.VersionId : true) && (!stage || v.stages.has(stage)),
        );
        if (!version)
          throw new AwsError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${stage}`}`,
          );
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
        return { ...this.entry(secret), VersionIdsToStages: stagesOf(secret) };
      }),
      define(ListSecretsCommand, (input, ctx) => {
        const page = paginate(listed([...this.stores.of(ctx).values()], input), {
          token: input.NextToken,
          size: input.MaxResults,
          defaultSize: 100,
          maxSize: 100,
          sizeMember: 'MaxResults',
          context: `ListSecrets:${JSON.stringify([input.IncludePlannedDeletion, input.Filters, input.SortBy, input.SortOrder])}`,
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
        if (secret.deletedAt && !input.ForceDeleteWithoutRecovery) throw scheduledForDeletion();
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

/** The value a request gives, if any; both a string and a binary is refused. */
function requestedValue(input: { SecretString?: string | undefined; SecretBinary?: Uint8Array | undefined }) {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined)
    throw invalid(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  if (input.SecretString === undefined && input.SecretBinary === undefined) return undefined;
  // Secrets Manager's quota: a secret value is at most 65,536 bytes.
  const size = Buffer.byteLength(input.SecretString ?? '') + (input.SecretBinary?.byteLength ?? 0);
  if (size > MAX_SECRET_BYTES)
    throw invalid(`A secret value may be at most ${MAX_SECRET_BYTES} bytes (this one is ${size}).`);
  return { string: input.SecretString, binary: input.SecretBinary };
}

function sameValue(a: SecretValue, b: SecretValue | undefined): boolean {
  return (
    b !== undefined &&
    a.string === b.string &&
    (a.binary === undefined || b.binary === undefined
      ? a.binary === b.binary
      : Buffer.from(a.binary).equals(Buffer.from(b.binary)))
  );
}

function stagesOf(secret: StoredSecret): Record<string, string[]> {
  return Object.fromEntries(secret.versions.map((v) => [v.id, [...v.stages]]));
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The six random letters and digits AWS appends to a secret's ARN (base64 would bring '-' and '_', which it never does). */
function secretArnSuffix(): string {
  return [...randomBytes(6)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}
