import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { InvalidDigestError, isDigest, sha256 } from './digest.js';
import type { Descriptor } from './manifest.js';
import { extractZip } from './safe-extract.js';

export { isDigest, sha256 } from './digest.js';
export type { Descriptor } from './manifest.js';

/**
 * stepship's local process images: content-addressed like OCI images, but
 * run as a local Node process instead of a container.
 *
 *   <stateDir>/images/blobs/sha256/<hex>   a layer (a zip of the app's files) or a config
 *   <stateDir>/images/rootfs/<hex>/        a layer, unpacked, ready to run
 *   <stateDir>/images/uploads/<uuid>       a registry blob upload in progress
 *
 * The manifest (OCI image manifest v1 shape) names the config and layers by
 * digest; the image's digest is the sha256 of the manifest's bytes, as ECR's is.
 */
export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.stepship.process.config.v1+json';
export const LAYER_MEDIA_TYPE = 'application/vnd.stepship.process.layer.v1+zip';

export interface ProcessImageConfig {
  /** argv, relative paths resolved against the unpacked layer. `node` means the local cloud's Node. */
  entrypoint: string[];
  env: Record<string, string>;
  exposedPorts: number[];
  created: string;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A zip's bytes depend only on its contents: fixed timestamps, sorted paths. */
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');
const ABANDONED_UPLOADS_MS = 24 * 3600 * 1000;

export class ImageStore {
  readonly root: string;
  /** Where registry uploads collect their bytes (on disk, so a large layer never sits in memory). */
  readonly uploads: string;

  constructor(stateDir: string) {
    this.root = join(stateDir, 'images');
    mkdirSync(join(this.root, 'blobs', 'sha256'), { recursive: true });
    mkdirSync(join(this.root, 'rootfs'), { recursive: true });
    // Each store has its own upload folder (two local clouds may share a state folder);
    // what an earlier process left unfinished is only removed once it is surely abandoned.
    const all = join(this.root, 'uploads');
    mkdirSync(all, { recursive: true });
    for (const name of readdirSync(all)) {
      const path = join(all, name);
      // Another store may remove it meanwhile: gone is as good as removed.
      const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - modified > ABANDONED_UPLOADS_MS) rmSync(path, { recursive: true, force: true });
    }
    this.uploads = mkdtempSync(join(all, 'u-'));
  }

  /** The file of a blob; anything but a canonical digest is refused before it can name a path. */
  blobPath(digest: string): string {
    if (!isDigest(digest)) throw new InvalidDigestError(digest);
    return join(this.root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  /** The stored size of a blob, or undefined when it is absent. */
  blobSize(digest: string): number | undefined {
    const path = this.blobPath(digest);
    return existsSync(path) ? statSync(path).size : undefined;
  }

  putBlob(data: Uint8Array): Descriptor {
    const digest = sha256(data);
    if (!this.hasBlob(digest)) writeFileSync(this.blobPath(digest), data);
    return { mediaType: '', digest, size: data.byteLength };
  }

  /** Moves a file whose content was verified to hash to `digest` into the store. */
  adoptBlob(file: string, digest: string): void {
    const target = this.blobPath(digest);
    if (existsSync(target)) rmSync(file, { force: true });
    else renameSync(file, target);
  }

  readBlob(digest: string): Buffer {
    return readFileSync(this.blobPath(digest));
  }

  /** Stores the files of an app as one layer plus its config, returning the manifest to push. */
  createImage(files: Record<string, Uint8Array>, config: Omit<ProcessImageConfig, 'created'>): string {
    const sorted = Object.fromEntries(
      Object.keys(files)
        .sort()
        .map((path) => [path, [files[path] as Uint8Array, { mtime: FIXED_MTIME }] as const]),
    );
    const layer = this.putBlob(zipSync(sorted as never, { level: 6, mtime: FIXED_MTIME }));
    const configBlob = this.putBlob(
      Buffer.from(JSON.stringify({ ...config, created: FIXED_MTIME.toISOString() })),
    );
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config: { ...configBlob, mediaType: CONFIG_MEDIA_TYPE },
      layers: [{ ...layer, mediaType: LAYER_MEDIA_TYPE }],
    };
    return JSON.stringify(manifest);
  }

  /**
   * The config of a manifest and the directory its layer is unpacked in
   * (unpacking once). A layer entry that would land outside that directory
   * fails the unpack before any file is written.
   */
  unpack(manifestJson: string): { config: ProcessImageConfig; rootfs: string } {
    const manifest = JSON.parse(manifestJson) as Partial<Manifest>;
    const layer = manifest.layers?.find((l) => l.mediaType === LAYER_MEDIA_TYPE);
    if (manifest.config?.mediaType !== CONFIG_MEDIA_TYPE || !layer) {
      throw new Error(
        `Image is not a stepship process image (config ${manifest.config?.mediaType}); run the local cloud with a Docker engine to run container images`,
      );
    }
    const config = JSON.parse(this.readBlob(manifest.config.digest).toString('utf8')) as ProcessImageConfig;
    if (!isDigest(layer.digest)) throw new InvalidDigestError(layer.digest);
    const rootfs = join(this.root, 'rootfs', layer.digest.slice('sha256:'.length));
    if (!existsSync(join(rootfs, '.complete'))) {
      extractZip(this.readBlob(layer.digest), rootfs);
      writeFileSync(join(rootfs, '.complete'), '');
    }
    return { config, rootfs };
  }
}
