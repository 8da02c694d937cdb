import type { ParameterStringFilter, ParametersFilter } from '@aws-sdk/client-ssm';
import { AwsError } from '../../http/aws-error.js';

/** What a filter can see of a parameter. */
export interface Filterable {
  name: string;
  type: string;
  keyId?: string;
  dataType: string;
}

/** Which operation filters: they allow different keys (the API reference's ParameterStringFilter). */
export type FilteringOperation = 'DescribeParameters' | 'GetParametersByPath';

const KEYS: Record<FilteringOperation, (key: string) => boolean> = {
  DescribeParameters: (key) =>
    key.startsWith('tag:') || ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType'].includes(key),
  GetParametersByPath: (key) => ['Type', 'KeyId', 'Label'].includes(key),
};

/**
 * The predicate of a request's filters (all must hold; within one, any
 * value), as Parameter Store applies them: `Name` matches Equals,
 * BeginsWith or Contains; `Path` OneLevel or Recursive; the others Equals
 * or BeginsWith. Keys, options and values the operation doesn't take are
 * refused with InvalidFilterKey / InvalidFilterOption / InvalidFilterValue.
 * Labels and tags are never set locally, so filters on them match nothing.
 */
export function parameterFilter(
  operation: FilteringOperation,
  filters: ParameterStringFilter[] | undefined,
  legacy?: ParametersFilter[],
): (p: Filterable) => boolean {
  if (filters?.length && legacy?.length)
    throw new AwsError(
      'ValidationException',
      'You can use either Filters or ParameterFilters in a single request, not both.',
    );
  const all: ParameterStringFilter[] = [
    ...(filters ?? []),
    ...(legacy ?? []).map((f) => ({ Key: f.Key, Option: 'Equals', Values: f.Values })),
  ];
  const tests = all.map((f) => compile(operation, f));
  return (p) => tests.every((test) => test(p));
}

function compile(operation: FilteringOperation, filter: ParameterStringFilter): (p: Filterable) => boolean {
  const key = filter.Key ?? '';
  if (!KEYS[operation](key))
    throw new AwsError('InvalidFilterKey', `The following filter key is not valid: ${key}.`);
  const isPath = key === 'Path';
  const option = filter.Option ?? (isPath ? 'OneLevel' : 'Equals');
  const options = isPath
    ? ['OneLevel', 'Recursive']
    : key === 'Label'
      ? ['Equals']
      : key === 'Name'
        ? ['Equals', 'BeginsWith', 'Contains']
        : ['Equals', 'BeginsWith'];
  if (!options.includes(option))
    throw new AwsError(
      'InvalidFilterOption',
      `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`,
    );
  const values = filter.Values ?? [];
  if ((values.length === 0 && !isPath) || values.length > 50 || values.some((v) => v.length === 0))
    throw new AwsError('InvalidFilterValue', `The filter ${key} needs 1 to 50 values, none of them empty.`);
  if (isPath) {
    if (values.some((v) => !v.startsWith('/')))
      throw new AwsError('InvalidFilterValue', 'A Path filter value must begin with a forward slash (/).');
    return (p) => values.some((v) => underPath(p.name, v, option === 'Recursive'));
  }
  const field = (p: Filterable): string | undefined =>
    key === 'Name'
      ? p.name
      : key === 'Type'
        ? p.type
        : key === 'KeyId'
          ? p.keyId
          : key === 'DataType'
            ? p.dataType
            : key === 'Tier'
              ? 'Standard'
              : undefined;
  return (p) => {
    const actual = field(p);
    if (actual === undefined) return false;
    return values.some((v) =>
      option === 'BeginsWith'
        ? actual.startsWith(v)
        : option === 'Contains'
          ? actual.includes(v)
          : actual === v,
    );
  };
}

/** A name is one level under a path (`/a` holds `/a/b`), or any level with `recursive`. */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  return name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/'));
}
