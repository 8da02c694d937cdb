import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import type { ClientClass, ServiceCatalogue } from '../suite.js';

const BUCKET = 'conf-sources';
const KEY = 'builds/source.zip';
const BODY = 'conformance';

const { custom, fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const s3: ServiceCatalogue<Record<string, never>> = {
  model: 's3',
  client: S3Client as unknown as ClientClass,
  // A REST service: no operation table to read, so the handler's routes are listed here.
  emulated: () => [
    'ListBuckets',
    'CreateBucket',
    'HeadBucket',
    'DeleteBucket',
    'PutObject',
    'GetObject',
    'HeadObject',
    'DeleteObject',
  ],

  async setup({ cloud, prepare }) {
    for (const bucket of [BUCKET, 'conf-b', 'conf-c']) cloud.s3.createBucket(cloud.scope, bucket);
    await prepare(PutObjectCommand, { Bucket: BUCKET, Key: KEY, Body: BODY, ContentType: 'application/zip' });
    return {};
  },

  cases: [
    ok(ListBucketsCommand, 'lists buckets', {}, (out) =>
      expect(out.Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining([BUCKET, 'conf-b', 'conf-c'])),
    ),
    ok(PutObjectCommand, 'puts an object', { Bucket: BUCKET, Key: 'new.txt', Body: 'new' }, (out) =>
      expect(out.ETag).toMatch(/^"[0-9a-f]{32}"$/),
    ),
    fails(
      PutObjectCommand,
      'an unknown bucket',
      { Bucket: 'conf-absent', Key: 'x', Body: 'x' },
      'NoSuchBucket',
    ),
    custom('GetObject', 'gets an object', async (w) => {
      const out = await w.send(GetObjectCommand, { Bucket: BUCKET, Key: KEY });
      expect(await out.Body?.transformToString()).toBe(BODY);
      expect(out.ContentType).toBe('application/zip');
    }),
    fails(GetObjectCommand, 'an unknown key', { Bucket: BUCKET, Key: 'absent' }, 'NoSuchKey'),
    fails(GetObjectCommand, 'an unknown bucket', { Bucket: 'conf-absent', Key: KEY }, 'NoSuchBucket'),
    ok(HeadObjectCommand, 'heads an object', { Bucket: BUCKET, Key: KEY }, (out) =>
      expect(out.ContentLength).toBe(BODY.length),
    ),
    // HEAD answers carry no body, so no code: the status alone says what is wrong.
    fails(HeadObjectCommand, 'an unknown key', { Bucket: BUCKET, Key: 'absent' }, ['NoSuchKey', '']),
    custom('DeleteObject', 'deletes an object', async (w) => {
      await w.prepare(PutObjectCommand, { Bucket: BUCKET, Key: 'doomed.txt', Body: 'x' });
      await w.send(DeleteObjectCommand, { Bucket: BUCKET, Key: 'doomed.txt' });
      const error = await w.sendExpectingError(HeadObjectCommand, { Bucket: BUCKET, Key: 'doomed.txt' });
      expect(error.error.name).toBe('NotFound');
    }),
    fails(DeleteObjectCommand, 'an unknown bucket', { Bucket: 'conf-absent', Key: KEY }, 'NoSuchBucket'),
    ...paginates(ListBucketsCommand, {}),
    ok(CreateBucketCommand, 'creates a bucket', { Bucket: 'conf-new' }, (out) =>
      expect(out.Location).toBe('/conf-new'),
    ),
    fails(CreateBucketCommand, 'a name S3 does not allow', { Bucket: 'Conf_Bad' }, 'InvalidBucketName'),
    ok(HeadBucketCommand, 'heads a bucket', { Bucket: BUCKET }, (out) =>
      expect(out.BucketRegion).toBe('us-east-1'),
    ),
    // HEAD answers carry no body, so no code: the status alone says what is wrong.
    fails(HeadBucketCommand, 'an unknown bucket', { Bucket: 'conf-absent' }, [
      'NoSuchBucket',
      'NotFound',
      '',
    ]),
    custom('DeleteBucket', 'deletes an empty bucket', async (w) => {
      await w.prepare(CreateBucketCommand, { Bucket: 'conf-doomed' });
      await w.send(DeleteBucketCommand, { Bucket: 'conf-doomed' });
      const gone = await w.sendExpectingError(HeadBucketCommand, { Bucket: 'conf-doomed' });
      expect(gone.error.name).toBe('NotFound');
    }),
    fails(DeleteBucketCommand, 'a bucket that holds objects', { Bucket: BUCKET }, 'BucketNotEmpty'),
    fails(DeleteBucketCommand, 'an unknown bucket', { Bucket: 'conf-absent' }, 'NoSuchBucket'),
  ],
};
