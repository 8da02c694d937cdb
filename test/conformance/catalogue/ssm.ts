import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

const PATH = '/conf';
/** Three parameters one level under PATH, and one deeper, so that paths can be paged and recursed. */
const PARAMETERS = [`${PATH}/a`, `${PATH}/b`, `${PATH}/c`];
const DEEP = `${PATH}/deep/x`;
const SECRET = `${PATH}-secure/token`;

const { custom, fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const ssm: ServiceCatalogue<Record<string, never>> = {
  model: 'ssm',
  client: SSMClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.ssm.api),

  async setup({ prepare }) {
    for (const name of [...PARAMETERS, DEEP])
      await prepare(PutParameterCommand, { Name: name, Value: `value of ${name}`, Type: 'String' });
    await prepare(PutParameterCommand, {
      Name: SECRET,
      Value: 's3cret',
      Type: 'SecureString',
      Description: 'a token',
    });
    return {};
  },

  cases: [
    ok(PutParameterCommand, 'puts a parameter', { Name: '/conf-new/p', Value: 'v', Type: 'String' }, (out) =>
      expect(out).toMatchObject({ Version: 1, Tier: 'Standard' }),
    ),
    ok(
      PutParameterCommand,
      'overwrites a parameter, a new version',
      { Name: `${PATH}/a`, Value: 'value of /conf/a', Overwrite: true },
      (out) => expect(out.Version).toBe(2),
    ),
    fails(
      PutParameterCommand,
      'a parameter that exists, without Overwrite',
      { Name: `${PATH}/b`, Value: 'x', Type: 'String' },
      'ParameterAlreadyExists',
    ),
    fails(
      PutParameterCommand,
      'another type over an existing parameter',
      { Name: `${PATH}/b`, Value: 'x', Type: 'SecureString', Overwrite: true },
      'HierarchyTypeMismatchException',
    ),
    fails(
      PutParameterCommand,
      'a name with a character the hierarchy does not allow',
      { Name: '/conf/bad name', Value: 'x', Type: 'String' },
      'ValidationException',
    ),
    fails(
      PutParameterCommand,
      'a hierarchy deeper than 15 levels',
      { Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, Value: 'x', Type: 'String' },
      'HierarchyLevelLimitExceededException',
    ),
    fails(
      PutParameterCommand,
      'a new parameter without a type',
      { Name: '/conf-new/untyped', Value: 'x' },
      'ValidationException',
    ),
    fails(
      PutParameterCommand,
      'a type the model does not name',
      { Name: '/conf-new/t', Value: 'x', Type: 'Number' as never },
      'ValidationException',
    ),
    ok(GetParameterCommand, 'gets a parameter', { Name: `${PATH}/c` }, (out) =>
      expect(out.Parameter).toMatchObject({ Name: `${PATH}/c`, Value: 'value of /conf/c', Type: 'String' }),
    ),
    ok(GetParameterCommand, 'a SecureString without decryption is not its value', { Name: SECRET }, (out) =>
      expect(out.Parameter?.Value).not.toBe('s3cret'),
    ),
    ok(GetParameterCommand, 'a SecureString with decryption', { Name: SECRET, WithDecryption: true }, (out) =>
      expect(out.Parameter?.Value).toBe('s3cret'),
    ),
    fails(GetParameterCommand, 'an unknown parameter', { Name: '/conf/absent' }, 'ParameterNotFound'),
    ok(
      GetParametersCommand,
      'gets parameters, naming those that are not there',
      { Names: [`${PATH}/b`, '/conf/absent'] },
      (out) => {
        expect(out.Parameters?.map((p) => p.Name)).toEqual([`${PATH}/b`]);
        expect(out.InvalidParameters).toEqual(['/conf/absent']);
      },
    ),
    fails(
      GetParametersCommand,
      'more than 10 names',
      { Names: Array.from({ length: 11 }, (_, i) => `/conf/n${i}`) },
      'ValidationException',
    ),
    ok(GetParametersByPathCommand, 'gets one level of a path', { Path: PATH }, (out) =>
      expect(out.Parameters?.map((p) => p.Name)).toEqual(PARAMETERS),
    ),
    ok(GetParametersByPathCommand, 'gets a path recursively', { Path: PATH, Recursive: true }, (out) =>
      expect(out.Parameters?.map((p) => p.Name)).toEqual([...PARAMETERS, DEEP]),
    ),
    fails(
      GetParametersByPathCommand,
      'a path that does not begin with a slash',
      { Path: 'conf' },
      'ValidationException',
    ),
    ok(
      GetParametersByPathCommand,
      'filters a path by type',
      { Path: PATH, Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] },
      (out) => expect(out.Parameters).toEqual([]),
    ),
    fails(
      GetParametersByPathCommand,
      'a filter key the operation does not take',
      { Path: PATH, ParameterFilters: [{ Key: 'Name', Values: ['/conf/a'] }] },
      'InvalidFilterKey',
    ),
    ...paginates(GetParametersByPathCommand, { Path: PATH }),
    ok(DescribeParametersCommand, 'describes parameters', {}, (out) =>
      expect(out.Parameters?.find((p) => p.Name === SECRET)).toMatchObject({
        Type: 'SecureString',
        KeyId: 'alias/aws/ssm',
        Description: 'a token',
        Version: 1,
      }),
    ),
    ok(
      DescribeParametersCommand,
      'filters by path, recursively',
      { ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: [PATH] }] },
      (out) => expect(out.Parameters?.map((p) => p.Name)).toEqual([...PARAMETERS, DEEP]),
    ),
    ok(
      DescribeParametersCommand,
      'filters by type and name',
      {
        ParameterFilters: [
          { Key: 'Type', Values: ['SecureString'] },
          { Key: 'Name', Option: 'Contains', Values: ['secure'] },
        ],
      },
      (out) => expect(out.Parameters?.map((p) => p.Name)).toEqual([SECRET]),
    ),
    fails(
      DescribeParametersCommand,
      'a filter option the key does not take',
      { ParameterFilters: [{ Key: 'Type', Option: 'Recursive', Values: ['String'] }] },
      'InvalidFilterOption',
    ),
    fails(DescribeParametersCommand, 'a page size over 50', { MaxResults: 51 }, 'ValidationException'),
    ...paginates(DescribeParametersCommand, {}),
    custom('DeleteParameter', 'deletes a parameter', async (w) => {
      await w.prepare(PutParameterCommand, { Name: '/conf-doomed/p', Value: 'x', Type: 'String' });
      await w.send(DeleteParameterCommand, { Name: '/conf-doomed/p' });
      const gone = await w.sendExpectingError(GetParameterCommand, { Name: '/conf-doomed/p' });
      expect(gone.code).toBe('ParameterNotFound');
    }),
    fails(DeleteParameterCommand, 'an unknown parameter', { Name: '/conf/absent' }, 'ParameterNotFound'),
    custom('DeleteParameters', 'deletes parameters, naming those that are not there', async (w) => {
      await w.prepare(PutParameterCommand, { Name: '/conf-doomed/q', Value: 'x', Type: 'String' });
      const out = await w.send(DeleteParametersCommand, { Names: ['/conf-doomed/q', '/conf/absent'] });
      expect(out.DeletedParameters).toEqual(['/conf-doomed/q']);
      expect(out.InvalidParameters).toEqual(['/conf/absent']);
    }),
    fails(DeleteParametersCommand, 'no names', { Names: [] }, 'ValidationException'),
  ],
};
