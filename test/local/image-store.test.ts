import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { zipSync } from 'fflate';
import {
  CONFIG_MEDIA_TYPE,
  ImageStore,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
} from '../../local/images/image-store.js';
import { entryTarget, extractZip, UnsafeArchiveEntryError } from '../../local/images/safe-extract.js';

describe('archive entries', () => {
  const root = '/tmp/stepship-build-abc123';

  it.each([
    ['a sibling folder that shares the prefix', '../stepship-build-abc123x/evil'],
    ['the parent folder', '../evil'],
    ['a parent segment in the middle', 'src/../../evil'],
    ['a Windows parent segment', 'src\\..\\..\\evil'],
    ['an absolute path', '/etc/cron.d/evil'],
    ['a drive letter', 'C:/evil'],
    ['a NUL byte', 'evil\0.js'],
    ['the folder itself', '.'],
  ])('refuses %s', (_, entry) => {
    expect(() => entryTarget(root, entry)).toThrow(UnsafeArchiveEntryError);
  });

  it.each([
    ['a file', 'index.js', `${root}/index.js`],
    ['a nested file', 'src/app/server.mjs', `${root}/src/app/server.mjs`],
    ['a name with dots', 'src/..hidden/x', `${root}/src/..hidden/x`],
  ])('places %s inside the folder', (_, entry, target) => {
    expect(entryTarget(root, entry)).toBe(target);
  });

  it('writes nothing from an archive with one bad entry', () => {
    const into = mkdtempSync(join(tmpdir(), 'stepship-extract-'));
    const zip = zipSync({ 'a.txt': Buffer.from('a'), '../escaped.txt': Buffer.from('b') });
    expect(() => extractZip(zip, into)).toThrow(UnsafeArchiveEntryError);
    expect(readdirSync(into)).toEqual([]);
    expect(existsSync(join(into, '..', 'escaped.txt'))).toBe(false);
  });
});

describe('the image store', () => {
  it('refuses digests that are not sha256 and 64 hex digits before they name a file', () => {
    const store = new ImageStore(mkdtempSync(join(tmpdir(), 'stepship-store-')));
    for (const digest of ['sha256:../../etc/hostname', 'sha256:abc', `sha256:${'a'.repeat(63)}/`, '../x']) {
      expect(() => store.hasBlob(digest)).toThrow(/Invalid digest/);
      expect(() => store.readBlob(digest)).toThrow(/Invalid digest/);
    }
  });

  it('unpacks a process image, and refuses a layer whose entries leave its folder', () => {
    const state = mkdtempSync(join(tmpdir(), 'stepship-store-'));
    const store = new ImageStore(state);
    const good = store.createImage(
      { 'app/server.mjs': Buffer.from('// app') },
      { entrypoint: ['node', 'app/server.mjs'], env: {}, exposedPorts: [3000] },
    );
    const { rootfs } = store.unpack(good);
    expect(readFileSync(join(rootfs, 'app/server.mjs'), 'utf8')).toBe('// app');

    const marker = `escaped-${randomUUID()}`;
    const layer = store.putBlob(zipSync({ [`../../${marker}`]: Buffer.from('x') }));
    const config = store.putBlob(
      Buffer.from(JSON.stringify({ entrypoint: ['node'], env: {}, exposedPorts: [] })),
    );
    const evil = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config: { ...config, mediaType: CONFIG_MEDIA_TYPE },
      layers: [{ ...layer, mediaType: LAYER_MEDIA_TYPE }],
    });
    expect(() => store.unpack(evil)).toThrow(UnsafeArchiveEntryError);
    // The layer would have landed in <state>/images/<marker>, outside rootfs/ (and `.stepship/` itself one more up).
    expect(existsSync(join(state, 'images', marker))).toBe(false);
    expect(existsSync(join(state, marker))).toBe(false);
  });
});
