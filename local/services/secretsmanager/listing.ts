import type { Filter, ListSecretsRequest } from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../../http/aws-error.js';
import type { StoredSecret } from './store.js';

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
];

/**
 * The secrets ListSecrets answers, in its order: each filter's values are
 * prefix matches (`!` negates one), as the API reference describes them;
 * sorted by `SortBy` (creation date unless given), ascending unless
 * `SortOrder` is `desc`.
 */
export function listed(secrets: StoredSecret[], input: ListSecretsRequest): StoredSecret[] {
  const filters = input.Filters ?? [];
  if (filters.length > 10) throw invalid('You can specify at most 10 filters.');
  for (const f of filters) {
    if (f.Key === undefined || !FILTER_KEYS.includes(f.Key))
      throw invalid(`Filter key ${String(f.Key)} is not one of ${FILTER_KEYS.join(', ')}.`);
    if (!f.Values || f.Values.length === 0 || f.Values.length > 10)
      throw invalid(`Filter ${f.Key} must have 1 to 10 values.`);
  }
  const order = input.SortOrder ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw invalid('SortOrder must be asc or desc.');
  const by = sortKey(input.SortBy);
  const chosen = secrets
    .filter((s) => input.IncludePlannedDeletion || !s.deletedAt)
    .filter((s) => filters.every((f) => matches(s, f)))
    .sort((a, b) => compare(by(a), by(b)) || compare(a.name, b.name));
  return order === 'desc' ? chosen.reverse() : chosen;
}

function sortKey(by: ListSecretsRequest['SortBy']): (s: StoredSecret) => string | number {
  switch (by) {
    case undefined:
    case 'created-date':
      return (s) => s.createdAt.getTime();
    case 'last-changed-date':
      return (s) => s.changedAt.getTime();
    // Reads are not tracked locally: a secret was last accessed when it was created.
    case 'last-accessed-date':
      return (s) => s.createdAt.getTime();
    case 'name':
      return (s) => s.name;
    default:
      throw invalid(
        `SortBy ${String(by)} is not one of created-date, last-accessed-date, last-changed-date, name.`,
      );
  }
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** A secret matches a filter when any value matches (a `!value` when the value does not). */
function matches(secret: StoredSecret, filter: Filter): boolean {
  return (filter.Values ?? []).some((raw) => {
    const negated = raw.startsWith('!');
    const value = negated ? raw.slice(1) : raw;
    return fieldsOf(secret, filter.Key).some((field) => prefixMatch(field, value, filter.Key)) !== negated;
  });
}

function fieldsOf(secret: StoredSecret, key: Filter['Key']): string[] {
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description === undefined ? [] : [secret.description];
    case 'tag-key':
      return secret.tags.map((t) => t.Key);
    case 'tag-value':
      return secret.tags.map((t) => t.Value);
    case 'all':
      return [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.Key, t.Value])];
    // Local secrets are neither replicated nor owned by another service.
    default:
      return [];
  }
}

/** Prefix matches, case-sensitive but for `description`; `all` matches any word of the value. */
function prefixMatch(field: string, value: string, key: Filter['Key']): boolean {
  if (key === 'description') return field.toLowerCase().startsWith(value.toLowerCase());
  if (key === 'all')
    return value
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .some((word) => field.toLowerCase().includes(word));
  return field.startsWith(value);
}
