import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadManifest, ManifestError, parseManifest } from '../../manifest/index.js';
import { appFolder, problemsOf, yaml } from './app-folder.js';

const minimal = yaml('app: shop', 'services:', '  web:', '    build: .', '    port: 3000');

let folders: { remove(): void }[] = [];
const folderWith = (files: Record<string, string>) => {
  const folder = appFolder(files);
  folders.push(folder);
  return folder.root;
};
afterEach(() => {
  for (const folder of folders) folder.remove();
  folders = [];
});

function errorOf(load: () => unknown): ManifestError {
  try {
    load();
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('the manifest was accepted');
}

describe('loadManifest', () => {
  it.each(['stepship.yml', 'stepship.yaml'])('finds %s in a folder and resolves paths against it', (name) => {
    const root = folderWith({ [name]: minimal, Dockerfile: 'FROM scratch\n' });
    const app = loadManifest(root);
    expect(app.root).toBe(root);
    expect(app.file).toBe(join(root, name));
    expect(app.services[0]?.image).toEqual({
      kind: 'build',
      context: root,
      dockerfile: 'Dockerfile',
      args: {},
    });
  });

  it('reads a manifest file given by its path, whatever its name', () => {
    const root = folderWith({ 'staging.yml': minimal, Dockerfile: 'FROM scratch\n' });
    expect(loadManifest(join(root, 'staging.yml')).file).toBe(join(root, 'staging.yml'));
  });

  it('says what to create when a folder has no manifest', () => {
    const root = folderWith({ Dockerfile: 'FROM scratch\n' });
    expect(errorOf(() => loadManifest(root)).problems).toEqual([
      { file: root, path: '', message: expect.stringContaining('no stepship.yml or stepship.yaml here') },
    ]);
  });

  it('refuses a folder with both stepship.yml and stepship.yaml', () => {
    const root = folderWith({ 'stepship.yml': minimal, 'stepship.yaml': minimal, Dockerfile: '' });
    expect(errorOf(() => loadManifest(root)).message).toBe(
      `${join(root, 'stepship.yaml')}: is ambiguous next to ${join(root, 'stepship.yml')}: keep one of them`,
    );
  });

  it('names the file in each problem, as an editor can open it', () => {
    const root = folderWith({ 'stepship.yml': minimal.replace('3000', 'http'), Dockerfile: '' });
    expect(errorOf(() => loadManifest(root)).message).toBe(
      `${join(root, 'stepship.yml')}:5:5: services.web.port: must be an integer from 1 to 65535 (got "http")`,
    );
  });
});

describe('problems', () => {
  const root = () => folderWith({ Dockerfile: 'FROM scratch\n' });

  it('are all reported at once, schema and cross-checks alike, sorted by line', () => {
    const text = yaml(
      'app: shop',
      'services:',
      '  web:',
      '    build: .',
      '    port: 3000',
      '    healthCheck: { interval: 5, timeout: 9 }',
      '    dependsOn: [ghost]',
      '  api:',
      '    build: ./nowhere',
      '    port: -1',
      '    path: /api/*',
      '    cpu: 1024',
      '    healthCheck: { path: /api/health }',
      'logRetentionDays: 8',
    );
    const error = errorOf(() => parseManifest(text, 'stepship.yml', root()));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ManifestError');
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [6, 'services.web.healthCheck.timeout'],
      [7, 'services.web.dependsOn[0]'],
      // memory is not written: its problem is shown at the service.
      [8, 'services.api.memory'],
      [9, 'services.api.build'],
      [10, 'services.api.port'],
      [14, 'logRetentionDays'],
    ]);
    expect(error.message.split('\n')).toHaveLength(6);
  });

  it('include a YAML syntax error with its line', () => {
    const text = yaml('app: shop', 'services:', '  web:', '    build: .', '   port: 3000');
    expect(problemsOf(text, root())).toEqual([
      {
        file: 'stepship.yml',
        line: 5,
        column: 1,
        path: '',
        message: 'All mapping items must start at the same column',
      },
    ]);
  });

  it('are located where a merged anchor wrote the key', () => {
    const text = yaml(
      'app: shop',
      'services:',
      '  web: &service',
      '    build: .',
      '    port: 3000',
      '    helthCheck: { path: /health }',
      '  api:',
      '    <<: *service',
      '    path: /api/*',
      '    verify: { checks: [] }',
    );
    expect(problemsOf(text, root())).toEqual([
      expect.objectContaining({
        line: 6,
        column: 5,
        path: 'services.api.helthCheck',
        message: expect.stringContaining('did you mean "healthCheck"?'),
      }),
      expect.objectContaining({ line: 6, column: 5, path: 'services.web.helthCheck' }),
    ]);
  });

  it('refuse a document that is not a map', () => {
    expect(problemsOf(yaml('- app: shop'), root())).toEqual([
      {
        file: 'stepship.yml',
        line: 1,
        column: 1,
        path: '',
        message: expect.stringContaining('must be a map with the keys app, region, services'),
      },
    ]);
  });

  it('refuse an empty manifest', () => {
    const path = join(root(), 'stepship.yml');
    writeFileSync(path, '# nothing yet\n');
    expect(errorOf(() => loadManifest(path)).problems).toEqual([
      expect.objectContaining({ line: 1, column: 1, message: expect.stringContaining('must be a map') }),
    ]);
  });
});
