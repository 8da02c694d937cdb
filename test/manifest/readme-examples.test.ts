import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseManifest } from '../../manifest/index.js';
import { appFolder } from './app-folder.js';

const readme = readFileSync(new URL('../../manifest/README.md', import.meta.url), 'utf8');
/** The YAML examples of the reference that are whole manifests (the others show one key). */
const manifests = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? '')
  .filter((text) => /^app:/m.test(text));

const folder = appFolder(
  Object.fromEntries(
    ['Dockerfile', 'site/Dockerfile', 'api/Dockerfile', 'save/Dockerfile'].map((f) => [f, '']),
  ),
);
afterAll(() => folder.remove());

describe('the manifest reference', () => {
  it('has whole manifests among its examples', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(2);
  });

  it.each(manifests.map((text) => [text.split('\n').find((l) => l.startsWith('app:')), text]))(
    'shows a manifest stepship accepts (%s)',
    (_, text) => {
      expect(parseManifest(text ?? '', 'stepship.yml', folder.root).services.length).toBeGreaterThan(0);
    },
  );
});
