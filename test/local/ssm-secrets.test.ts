import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

let cloud: LocalCloud;
let ssm: SSMClient;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ssm-')),
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  ssm = new SSMClient(config);
  secrets = new SecretsManagerClient(config);
}, 30_000);
afterAll(async () => {
  ssm.destroy();
  secrets.destroy();
  await cloud.stop();
});

describe('SSM Parameter Store through the SDK', () => {
  it('stores versions, refuses to overwrite without Overwrite, and hides SecureString values unless decrypted', async () => {
    expect(
      await ssm.send(new PutParameterCommand({ Name: '/shop/token', Value: 's3cret', Type: 'SecureString' })),
    ).toMatchObject({ Version: 1 });
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/shop/token', Value: 'x', Type: 'SecureString' })),
    ).rejects.toBeInstanceOf(ParameterAlreadyExists);
    expect(
      await ssm.send(new PutParameterCommand({ Name: '/shop/token', Value: 'n3w', Overwrite: true })),
    ).toMatchObject({ Version: 2 });
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/shop/token' }));
    expect(hidden.Parameter?.Value).not.toBe('n3w');
    const shown = await ssm.send(new GetParameterCommand({ Name: '/shop/token', WithDecryption: true }));
    expect(shown.Parameter).toMatchObject({
      Value: 'n3w',
      Version: 2,
      Type: 'SecureString',
      ARN: `arn:aws:ssm:us-east-1:${cloud.accountId}:parameter/shop/token`,
    });
    expect(cloud.ssm.valueOf('/shop/token', cloud.scope)).toBe('n3w');
  });

  it('answers ParameterNotFound and lists the missing ones of a batch as invalid', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
    await ssm.send(new PutParameterCommand({ Name: '/shop/a', Value: 'A', Type: 'String' }));
    expect(await ssm.send(new GetParametersCommand({ Names: ['/shop/a', '/shop/missing'] }))).toMatchObject({
      Parameters: [{ Name: '/shop/a', Value: 'A' }],
      InvalidParameters: ['/shop/missing'],
    });
    await ssm.send(new DeleteParameterCommand({ Name: '/shop/a' }));
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/shop/a' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
  });

  it('pages GetParametersByPath with its MaxResults and a token that joins up', async () => {
    for (let i = 0; i < 5; i++)
      await ssm.send(new PutParameterCommand({ Name: `/paged/p${i}`, Value: String(i), Type: 'String' }));
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/paged', MaxResults: 2 }));
    expect(first.Parameters).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const names = first.Parameters?.map((p) => p.Name) ?? [];
    let token = first.NextToken;
    while (token) {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: '/paged', MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.Parameters?.map((p) => p.Name) ?? []));
      token = page.NextToken;
    }
    expect(names).toEqual(['/paged/p0', '/paged/p1', '/paged/p2', '/paged/p3', '/paged/p4']);
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/paged', NextToken: 'forged' })),
    ).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it.each([
    ['a name with a slash not at the start', 'shop/x', /must begin with one/],
    ['a reserved prefix', '/aws/x', /reserved/],
    ['characters outside the alphabet', '/shop/bad name', /must be 1–2048/],
  ])('refuses %s', async (_what, name, message) => {
    await expect(ssm.send(new PutParameterCommand({ Name: name, Value: 'v' }))).rejects.toThrow(message);
  });
});

describe('Secrets Manager through the SDK', () => {
  it('keeps versions with AWSCURRENT and AWSPREVIOUS, resolves by name, ARN and partial ARN, and one JSON key', async () => {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: 'shop/db', SecretString: '{"password":"p1","user":"u"}' }),
    );
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:${cloud.accountId}:secret:shop/db-[A-Za-z0-9_-]{6}$`),
    );
    await expect(
      secrets.send(new CreateSecretCommand({ Name: 'shop/db', SecretString: 'x' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await secrets.send(
      new PutSecretValueCommand({ SecretId: 'shop/db', SecretString: '{"password":"p2","user":"u"}' }),
    );
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(current).toMatchObject({
      SecretString: '{"password":"p2","user":"u"}',
      VersionStages: ['AWSCURRENT'],
    });
    const previous = await secrets.send(
      new GetSecretValueCommand({ SecretId: 'shop/db', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toContain('p1');
    const partial = created.ARN?.slice(0, -7) ?? '';
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: partial }))).Name).toBe('shop/db');
    expect(cloud.secretsManager.valueOf(`${created.ARN}:password::`, cloud.scope)).toBe('p2');
  });

  it('answers ResourceNotFoundException for an unknown secret and InvalidRequestException once deleted', async () => {
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await secrets.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' }));
    await secrets.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    const listed = await secrets.send(new ListSecretsCommand({}));
    expect(listed.SecretList?.map((s) => s.Name)).not.toContain('doomed');
  });
});
