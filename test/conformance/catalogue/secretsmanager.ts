import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface SecretsFixtures {
  /** The full ARN of SECRET. */
  secretArn: string;
  /** The version of SECRET that PutSecretValue made current (its first is AWSPREVIOUS). */
  currentVersionId: string;
}

const SECRET = 'conf/db';
const SECRETS = [SECRET, 'conf/b', 'conf/c'];
/** A secret scheduled for deletion before the cases run. */
const DELETED = 'conf-deleted';
const ABSENT = 'conf/absent';

const { custom, fails, ok, paginates } = caseBuilders<SecretsFixtures>();

export const secretsmanager: ServiceCatalogue<SecretsFixtures> = {
  model: 'secretsmanager',
  client: SecretsManagerClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.secretsManager.api),

  async setup({ prepare }) {
    const created = await prepare(CreateSecretCommand, {
      Name: SECRET,
      SecretString: '{"password":"p1"}',
      Description: 'the database',
      Tags: [{ Key: 'team', Value: 'conformance' }],
    });
    const put = await prepare(PutSecretValueCommand, { SecretId: SECRET, SecretString: '{"password":"p2"}' });
    for (const name of SECRETS.slice(1))
      await prepare(CreateSecretCommand, { Name: name, SecretString: name });
    await prepare(CreateSecretCommand, { Name: DELETED, SecretString: 'x' });
    await prepare(DeleteSecretCommand, { SecretId: DELETED, RecoveryWindowInDays: 7 });
    return { secretArn: created.ARN ?? '', currentVersionId: put.VersionId ?? '' };
  },

  cases: [
    ok(
      CreateSecretCommand,
      'creates a secret with a value',
      { Name: 'conf-new', SecretString: 'v' },
      (out) => {
        expect(out.ARN).toMatch(/:secret:conf-new-[A-Za-z0-9]{6}$/);
        expect(out.VersionId).toBeTruthy();
      },
    ),
    ok(CreateSecretCommand, 'creates a secret without a value', { Name: 'conf-empty' }, (out) =>
      expect(out.VersionId).toBeUndefined(),
    ),
    fails(
      CreateSecretCommand,
      'a name in use',
      { Name: SECRET, SecretString: 'x' },
      'ResourceExistsException',
    ),
    fails(
      CreateSecretCommand,
      'the name of a secret scheduled for deletion',
      { Name: DELETED, SecretString: 'x' },
      'InvalidRequestException',
    ),
    fails(
      CreateSecretCommand,
      'both a string and a binary value',
      { Name: 'conf-both', SecretString: 'x', SecretBinary: new Uint8Array([1]) },
      'InvalidParameterException',
    ),
    fails(
      CreateSecretCommand,
      'a name with a character Secrets Manager does not allow',
      { Name: 'conf bad', SecretString: 'x' },
      ['InvalidParameterException', 'ValidationException'],
    ),
    ok(
      PutSecretValueCommand,
      'puts a new current version',
      { SecretId: 'conf/b', SecretString: 'v2' },
      (out) => expect(out.VersionStages).toEqual(['AWSCURRENT']),
    ),
    custom('PutSecretValue', 'the same ClientRequestToken and value again changes nothing', async (w) => {
      const token = 'conf00000000000000000000000000000001';
      const first = await w.send(PutSecretValueCommand, {
        SecretId: 'conf/c',
        SecretString: 'same',
        ClientRequestToken: token,
      });
      const again = await w.send(PutSecretValueCommand, {
        SecretId: 'conf/c',
        SecretString: 'same',
        ClientRequestToken: token,
      });
      expect(again.VersionId).toBe(first.VersionId);
      // Still two versions: the first value (now AWSPREVIOUS) and this one, once.
      const { VersionIdsToStages: stages = {} } = await w.prepare(DescribeSecretCommand, {
        SecretId: 'conf/c',
      });
      expect(Object.values(stages).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
      expect(stages[token]).toEqual(['AWSCURRENT']);
    }),
    fails(
      PutSecretValueCommand,
      'a ClientRequestToken in use with another value',
      {
        SecretId: 'conf/c',
        SecretString: 'other',
        ClientRequestToken: 'conf00000000000000000000000000000001',
      },
      'ResourceExistsException',
    ),
    fails(PutSecretValueCommand, 'no value', { SecretId: 'conf/c' }, 'InvalidRequestException'),
    fails(
      PutSecretValueCommand,
      'an unknown secret',
      { SecretId: ABSENT, SecretString: 'x' },
      'ResourceNotFoundException',
    ),
    fails(
      PutSecretValueCommand,
      'a secret scheduled for deletion',
      { SecretId: DELETED, SecretString: 'x' },
      'InvalidRequestException',
    ),
    ok(GetSecretValueCommand, 'gets the current value by name', { SecretId: SECRET }, (out, f) => {
      expect(out.SecretString).toBe('{"password":"p2"}');
      expect(out.VersionId).toBe(f.currentVersionId);
      expect(out.VersionStages).toEqual(['AWSCURRENT']);
    }),
    ok(
      GetSecretValueCommand,
      'gets the previous value by stage and full ARN',
      (f) => ({ SecretId: f.secretArn, VersionStage: 'AWSPREVIOUS' }),
      (out) => expect(out.SecretString).toBe('{"password":"p1"}'),
    ),
    fails(GetSecretValueCommand, 'an unknown secret', { SecretId: ABSENT }, 'ResourceNotFoundException'),
    fails(
      GetSecretValueCommand,
      'a secret with no value',
      { SecretId: 'conf-empty' },
      'ResourceNotFoundException',
    ),
    fails(
      GetSecretValueCommand,
      'a secret scheduled for deletion',
      { SecretId: DELETED },
      'InvalidRequestException',
    ),
    ok(DescribeSecretCommand, 'describes a secret', { SecretId: SECRET }, (out, f) => {
      expect(out).toMatchObject({ ARN: f.secretArn, Name: SECRET, Description: 'the database' });
      expect(out.Tags).toEqual([{ Key: 'team', Value: 'conformance' }]);
      expect(out.VersionIdsToStages?.[f.currentVersionId]).toEqual(['AWSCURRENT']);
    }),
    ok(DescribeSecretCommand, 'describes a secret scheduled for deletion', { SecretId: DELETED }, (out) =>
      expect(out.DeletedDate).toBeInstanceOf(Date),
    ),
    fails(DescribeSecretCommand, 'an unknown secret', { SecretId: ABSENT }, 'ResourceNotFoundException'),
    ok(ListSecretsCommand, 'lists secrets, not those scheduled for deletion', {}, (out) => {
      const names = out.SecretList?.map((s) => s.Name);
      expect(names).toEqual(expect.arrayContaining(SECRETS));
      expect(names).not.toContain(DELETED);
    }),
    ok(
      ListSecretsCommand,
      'lists those scheduled for deletion when asked',
      { IncludePlannedDeletion: true },
      (out) => expect(out.SecretList?.map((s) => s.Name)).toContain(DELETED),
    ),
    ok(
      ListSecretsCommand,
      'filters by name prefix, sorted by name',
      { Filters: [{ Key: 'name', Values: ['conf/'] }], SortBy: 'name', SortOrder: 'asc' },
      (out) => expect(out.SecretList?.map((s) => s.Name)).toEqual(['conf/b', 'conf/c', SECRET]),
    ),
    fails(ListSecretsCommand, 'a page size over 100', { MaxResults: 101 }, 'InvalidParameterException'),
    ...paginates(ListSecretsCommand, { Filters: [{ Key: 'name', Values: ['conf/'] }] }),
    ok(
      DeleteSecretCommand,
      'schedules a secret for deletion',
      { SecretId: 'conf-new', RecoveryWindowInDays: 7 },
      (out) => {
        const days = ((out.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(6.9);
        expect(days).toBeLessThanOrEqual(7);
      },
    ),
    custom('DeleteSecret', 'deletes a secret at once without recovery', async (w) => {
      await w.prepare(CreateSecretCommand, { Name: 'conf-doomed', SecretString: 'x' });
      await w.send(DeleteSecretCommand, { SecretId: 'conf-doomed', ForceDeleteWithoutRecovery: true });
      const gone = await w.sendExpectingError(DescribeSecretCommand, { SecretId: 'conf-doomed' });
      expect(gone.code).toBe('ResourceNotFoundException');
    }),
    fails(
      DeleteSecretCommand,
      'a recovery window under 7 days',
      { SecretId: 'conf/c', RecoveryWindowInDays: 3 },
      'InvalidParameterException',
    ),
    fails(
      DeleteSecretCommand,
      'a recovery window together with ForceDeleteWithoutRecovery',
      { SecretId: 'conf/c', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true },
      'InvalidParameterException',
    ),
    fails(
      DeleteSecretCommand,
      'a secret already scheduled for deletion',
      { SecretId: DELETED },
      'InvalidRequestException',
    ),
    fails(DeleteSecretCommand, 'an unknown secret', { SecretId: ABSENT }, 'ResourceNotFoundException'),
  ],
};
