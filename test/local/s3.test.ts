import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { signedFetch } from '../helpers/sigv4.js';

let cloud: LocalCloud;
const client = (region = 'us-east-1', accountId = '000000000000') =>
  new S3Client({
    endpoint: cloud.endpointUrl,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: accountId, secretAccessKey: 'local' },
  });

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-s3-')),
  });
}, 30_000);
afterAll(() => cloud.stop());

/** The error an S3 call fails with: its code and HTTP status. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3ServiceException) return { name: err.name, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error('the call succeeded');
}

describe('S3 buckets and objects', () => {
  it('creates a bucket, stores, reads and deletes an object', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'sources' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'sources' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'sources', Key: 'dir/web.zip', Body: Buffer.from('zip bytes') }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sources', Key: 'dir/web.zip' }));
    expect(await got.Body?.transformToString()).toBe('zip bytes');
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['sources']);
    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket: 'sources' })))).toEqual({
      name: 'BucketNotEmpty',
      status: 409,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: 'sources', Key: 'dir/web.zip' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'sources' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  });

  it('answers a missing bucket and key with the modeled errors', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'present' }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'absent', Key: 'k', Body: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'present', Key: 'nothing' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'present', Key: 'nothing' })))).toEqual({
      name: 'NotFound',
      status: 404,
    });
    const raw = await signedFetch(`${cloud.endpointUrl}/present/nothing`, { service: 's3' });
    expect(raw.status).toBe(404);
    expect(await raw.text()).toMatch(
      /^<\?xml[^>]*>\s*<Error><Code>NoSuchKey<\/Code><Message>[^<]+<\/Message><Key>nothing<\/Key><RequestId>/,
    );
  });

  it('refuses invalid bucket names, and answers a second create as S3 does in each region', async () => {
    expect(await failure(client().send(new CreateBucketCommand({ Bucket: 'Not_Valid' })))).toEqual({
      name: 'InvalidBucketName',
      status: 400,
    });
    await client().send(new CreateBucketCommand({ Bucket: 'again' }));
    // us-east-1 answers the owner's repeated create with success.
    await client().send(new CreateBucketCommand({ Bucket: 'again' }));
    const west = client('us-west-2');
    await west.send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
      }),
    );
    await expect(west.send(new CreateBucketCommand({ Bucket: 'west-bucket' }))).rejects.toBeInstanceOf(
      BucketAlreadyOwnedByYou,
    );
    expect(
      await failure(client('us-east-1', '333333333333').send(new CreateBucketCommand({ Bucket: 'again' }))),
    ).toEqual({
      name: 'BucketAlreadyExists',
      status: 409,
    });
  });

  it('keeps buckets in their account and region', async () => {
    await client('eu-west-1').send(
      new CreateBucketCommand({
        Bucket: 'eu-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    expect(
      await failure(
        client('us-east-1').send(
          new PutObjectCommand({ Bucket: 'eu-bucket', Key: 'k', Body: Buffer.from('x') }),
        ),
      ),
    ).toEqual({ name: 'PermanentRedirect', status: 301 });
    expect(
      await failure(
        client('eu-west-1', '444444444444').send(new GetObjectCommand({ Bucket: 'eu-bucket', Key: 'k' })),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    expect(
      (await client('us-east-1').send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name),
    ).not.toContain('eu-bucket');
  });

  it('answers what it does not implement with NotImplemented, never a wrong success', async () => {
    expect(await failure(client().send(new ListObjectsV2Command({ Bucket: 'present' })))).toEqual({
      name: 'NotImplemented',
      status: 501,
    });
  });
});

describe("S3's payload hash", () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const put = (key: string, body: string, declared: string) =>
    signedFetch(`${cloud.endpointUrl}/hashed/${key}`, {
      method: 'PUT',
      service: 's3',
      headers: { 'x-amz-content-sha256': declared },
      body,
    });

  it('refuses a body that is not the one whose SHA-256 the request declares, storing nothing', async () => {
    await client().send(new CreateBucketCommand({ Bucket: 'hashed' }));
    const res = await put('changed', 'the body sent', sha256('the body signed'));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(text).toContain(
      `<ClientComputedContentSHA256>${sha256('the body signed')}</ClientComputedContentSHA256>`,
    );
    expect(text).toContain(`<S3ComputedContentSHA256>${sha256('the body sent')}</S3ComputedContentSHA256>`);
    expect(await failure(client().send(new HeadObjectCommand({ Bucket: 'hashed', Key: 'changed' })))).toEqual(
      {
        name: 'NotFound',
        status: 404,
      },
    );
  });

  it.each([
    ['its SHA-256', sha256('the body')],
    ['UNSIGNED-PAYLOAD', 'UNSIGNED-PAYLOAD'],
  ])('stores a body that declares %s', async (_what, declared) => {
    const res = await put('kept', 'the body', declared);
    expect(res.status).toBe(200);
    const object = await client().send(new GetObjectCommand({ Bucket: 'hashed', Key: 'kept' }));
    expect(await object.Body?.transformToString()).toBe('the body');
  });
});
