import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { ImageStore } from '../../local/images/image-store.js';
import { Ecr } from '../../local/services/ecr/provider.js';
import { Registry } from '../../local/services/ecr/registry.js';

let cloud: LocalCloud;
let v2: string;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-registry-')),
  });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'web' });
  v2 = `${cloud.endpointUrl}/v2`;
}, 30_000);
afterAll(() => cloud.stop());

const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

/** A blob uploaded as Docker does: start an upload, PATCH the bytes, PUT with the digest. */
async function uploadBlob(data: Buffer, repository = 'web'): Promise<Response> {
  const started = await fetch(`${v2}/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(started.status).toBe(202);
  const location = started.headers.get('location') ?? '';
  const patched = await fetch(`${cloud.endpointUrl}${location}`, { method: 'PATCH', body: data });
  expect(patched.status).toBe(202);
  expect(patched.headers.get('range')).toBe(`0-${data.length - 1}`);
  return fetch(`${cloud.endpointUrl}${location}?digest=${encodeURIComponent(sha256(data))}`, {
    method: 'PUT',
  });
}

async function imageManifest(name: string): Promise<string> {
  const config = Buffer.from(`{"architecture":"amd64","os":"linux","name":"${name}"}`);
  const layer = Buffer.from(`layer of ${name}`);
  for (const blob of [config, layer]) expect((await uploadBlob(blob)).status).toBe(201);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: sha256(layer),
        size: layer.length,
      },
    ],
  });
}

const putManifest = (reference: string, body: string, contentType = DOCKER_MANIFEST) =>
  fetch(`${v2}/web/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body,
  });

describe('blobs', () => {
  it('takes chunked and monolithic uploads, and serves what it took', async () => {
    const chunked = Buffer.from('chunked layer bytes');
    const done = await uploadBlob(chunked);
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(chunked));
    const whole = Buffer.from('monolithic layer bytes');
    const mono = await fetch(`${v2}/web/blobs/uploads/?digest=${sha256(whole)}`, {
      method: 'POST',
      body: whole,
    });
    expect(mono.status).toBe(201);
    const head = await fetch(`${v2}/web/blobs/${sha256(whole)}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(whole.length));
    expect(Buffer.from(await (await fetch(`${v2}/web/blobs/${sha256(chunked)}`)).arrayBuffer())).toEqual(
      chunked,
    );
    // A blob the store has is mounted at once, without an upload.
    const mount = await fetch(`${v2}/web/blobs/uploads/?mount=${sha256(whole)}&from=other`, {
      method: 'POST',
    });
    expect(mount.status).toBe(201);
  });

  it('refuses an upload whose bytes do not hash to its digest, and keeps nothing of it', async () => {
    const started = await fetch(`${v2}/web/blobs/uploads/`, { method: 'POST' });
    const location = started.headers.get('location') ?? '';
    const lie = sha256('other bytes');
    const put = await fetch(`${cloud.endpointUrl}${location}?digest=${lie}`, {
      method: 'PUT',
      body: 'these bytes',
    });
    expect(put.status).toBe(400);
    expect(await errorCode(put)).toBe('DIGEST_INVALID');
    expect(cloud.images.hasBlob(lie)).toBe(false);
    expect((await fetch(`${cloud.endpointUrl}${location}`, { method: 'PATCH', body: 'x' })).status).toBe(404);
  });

  it('refuses a chunk that does not continue the upload', async () => {
    const started = await fetch(`${v2}/web/blobs/uploads/`, { method: 'POST' });
    const location = started.headers.get('location') ?? '';
    await fetch(`${cloud.endpointUrl}${location}`, {
      method: 'PATCH',
      body: 'abc',
      headers: { 'content-range': '0-2' },
    });
    const gap = await fetch(`${cloud.endpointUrl}${location}`, {
      method: 'PATCH',
      body: 'xyz',
      headers: { 'content-range': '10-12' },
    });
    expect(gap.status).toBe(416);
    expect(await errorCode(gap)).toBe('BLOB_UPLOAD_INVALID');
    expect(gap.headers.get('range')).toBe('0-2');
  });

  it.each([
    ['a traversal', 'sha256%3A..%2F..%2Fetc%2Fhostname'],
    ['a short digest', 'sha256:abc'],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`],
    ['another algorithm', `sha512:${'a'.repeat(128)}`],
  ])('answers %s as a blob digest with DIGEST_INVALID', async (_, digest) => {
    const res = await fetch(`${v2}/web/blobs/${digest}`);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('DIGEST_INVALID');
    const upload = await fetch(`${v2}/web/blobs/uploads/?digest=${digest}`, { method: 'POST', body: 'x' });
    expect(upload.status).toBe(400);
    expect(await errorCode(upload)).toBe('DIGEST_INVALID');
  });

  it('answers an unknown blob, repository and name with the registry codes', async () => {
    const unknown = await fetch(`${v2}/web/blobs/${sha256('nobody uploaded this')}`);
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'BLOB_UNKNOWN']);
    const repo = await fetch(`${v2}/ghost/blobs/uploads/`, { method: 'POST' });
    expect([repo.status, await errorCode(repo)]).toEqual([404, 'NAME_UNKNOWN']);
    const name = await fetch(`${v2}/Not_A_Name/manifests/latest`);
    expect([name.status, await errorCode(name)]).toEqual([400, 'NAME_INVALID']);
  });
});

describe('manifests', () => {
  it('takes a push by tag, serves it by tag and digest, and announces it once', async () => {
    const manifest = await imageManifest('v1');
    const publish = jest.spyOn(cloud.events, 'publish');
    try {
      const put = await putManifest('v1', manifest);
      expect(put.status).toBe(201);
      expect(put.headers.get('docker-content-digest')).toBe(sha256(manifest));
      // The same push again (docker retries) changes nothing and announces nothing.
      expect((await putManifest('v1', manifest)).status).toBe(201);
      expect(publish).toHaveBeenCalledTimes(1);
    } finally {
      publish.mockRestore();
    }
    for (const ref of ['v1', sha256(manifest)]) {
      const got = await fetch(`${v2}/web/manifests/${ref}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(DOCKER_MANIFEST);
      expect(got.headers.get('docker-content-digest')).toBe(sha256(manifest));
      expect(await got.text()).toBe(manifest);
    }
    expect(await (await fetch(`${v2}/web/tags/list`)).json()).toEqual({ name: 'web', tags: ['v1'] });
  });

  it('takes a push by its own digest, and refuses bytes that hash to another one', async () => {
    const manifest = await imageManifest('by-digest');
    expect((await putManifest(sha256(manifest), manifest)).status).toBe(201);
    const other = await imageManifest('other');
    const lie = await putManifest(
      sha256(manifest).replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      other,
    );
    expect([lie.status, await errorCode(lie)]).toEqual([400, 'DIGEST_INVALID']);
    const mismatch = await putManifest(sha256(manifest), other);
    expect([mismatch.status, await errorCode(mismatch)]).toEqual([400, 'DIGEST_INVALID']);
    expect((await fetch(`${v2}/web/manifests/${sha256(other)}`)).status).toBe(404);
  });

  it.each([
    ['{}', '{}', 'MANIFEST_INVALID'],
    ['123', '123', 'MANIFEST_INVALID'],
    ['[]', '[]', 'MANIFEST_INVALID'],
    ['null', 'null', 'MANIFEST_INVALID'],
    ['schema version 1', '{"schemaVersion":1,"fsLayers":[]}', 'MANIFEST_INVALID'],
    [
      'a descriptor with a traversal digest',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          digest: 'sha256:../../etc/hostname',
          size: 2,
        },
        layers: [],
      }),
      'MANIFEST_INVALID',
    ],
    [
      'a layer never uploaded',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          digest: sha256('no'),
          size: 2,
        },
        layers: [],
      }),
      'MANIFEST_BLOB_UNKNOWN',
    ],
    [
      'a list naming a manifest the repository lacks',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('none'), size: 9 },
        ],
      }),
      'MANIFEST_BLOB_UNKNOWN',
    ],
  ])('refuses %s with a 4xx and no push event', async (_, body, code) => {
    const publish = jest.spyOn(cloud.events, 'publish');
    try {
      const type = body.includes('index') ? 'application/vnd.oci.image.index.v1+json' : DOCKER_MANIFEST;
      const res = await putManifest('refused', body, type);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe(code);
      expect(publish).not.toHaveBeenCalled();
    } finally {
      publish.mockRestore();
    }
    expect((await fetch(`${v2}/web/manifests/refused`)).status).toBe(404);
  });

  it('refuses a manifest whose Content-Type names another media type', async () => {
    const manifest = await imageManifest('typed');
    const res = await putManifest('typed', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect([res.status, await errorCode(res)]).toEqual([400, 'MANIFEST_INVALID']);
  });

  it('answers a malformed reference with DIGEST_INVALID or TAG_INVALID', async () => {
    const digest = await fetch(`${v2}/web/manifests/sha256%3A..%2F..%2Fetc%2Fhostname`);
    expect([digest.status, await errorCode(digest)]).toEqual([400, 'DIGEST_INVALID']);
    const tag = await fetch(`${v2}/web/manifests/.hidden`);
    expect([tag.status, await errorCode(tag)]).toEqual([400, 'TAG_INVALID']);
    const unknown = await fetch(`${v2}/web/manifests/never-pushed`);
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'MANIFEST_UNKNOWN']);
  });
});

describe('unfinished uploads', () => {
  let server: Server;
  let base: string;
  let now = 0;
  let images: ImageStore;
  let registry: Registry;

  beforeAll(async () => {
    images = new ImageStore(mkdtempSync(join(tmpdir(), 'stepship-uploads-')));
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    const ecr = new Ecr({
      images,
      bus: { publish: () => 'event-id' },
      proxyEndpoint: 'http://127.0.0.1:1',
    });
    ecr.createRepository(scope, { repositoryName: 'web' });
    registry = new Registry(images, ecr, { idleMs: 15 * 60_000, maxBlobBytes: 64, maxUploads: 2 }, () => now);
    server = createServer((req, res) => {
      void registry.handle(req, res, new URL(req.url ?? '/', 'http://localhost'), {
        ...scope,
        requestId: 'test',
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/web/blobs/uploads/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('expire after 15 minutes idle: their bytes are deleted and the upload is unknown', async () => {
    now = 0;
    const started = await fetch(base, { method: 'POST' });
    const id = started.headers.get('docker-upload-uuid') ?? '';
    expect((await fetch(`${base}${id}`, { method: 'PATCH', body: 'part' })).status).toBe(202);
    expect(readdirSync(images.uploads)).toEqual([id]);
    now = 14 * 60_000;
    expect((await fetch(`${base}${id}`, { method: 'PATCH', body: 'more' })).status).toBe(202);
    now += 15 * 60_000 + 1;
    const late = await fetch(`${base}${id}`, { method: 'PATCH', body: 'late' });
    expect([late.status, await errorCode(late)]).toEqual([404, 'BLOB_UPLOAD_UNKNOWN']);
    expect(existsSync(join(images.uploads, id))).toBe(false);
    expect(registry.uploads.size).toBe(0);
  });

  it('are capped in number and in size', async () => {
    now = 0;
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push((await fetch(base, { method: 'POST' })).headers.get('docker-upload-uuid'));
    const third = await fetch(base, { method: 'POST' });
    expect([third.status, await errorCode(third)]).toEqual([429, 'TOOMANYREQUESTS']);
    const big = await fetch(`${base}${ids[0]}`, { method: 'PATCH', body: Buffer.alloc(65) });
    expect([big.status, await errorCode(big)]).toEqual([413, 'SIZE_INVALID']);
  });
});
