import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';

/**
 * stepship's local process images: content-addressed like OCI images, but
 * run as a local Node process instead of a container.
 *
 *   <stateDir>/images/blobs/sha256/<hex>   a layer (a zip of the app's files) or a config
 *   <stateDir>/images/rootfs/<hex>/        a layer, unpacked, ready to run
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

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A zip's bytes depend only on its contents: fixed timestamps, sorted paths. */
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

export const sha256 = (data: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

export class ImageStore {
  readonly root: string;

  constructor(stateDir: string) {
    this.root = join(stateDir, 'images');
    mkdirSync(join(this.root, 'blobs', 'sha256'), { recursive: true });
    mkdirSync(join(this.root, 'rootfs'), { recursive: true });
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  putBlob(data: Uint8Array): Descriptor & { mediaType: string } {
    const digest = sha256(data);
    if (!this.hasBlob(digest)) writeFileSync(this.blobPath(digest), data);
    return { mediaType: '', digest, size: data.byteLength };
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

  /** The config of a manifest and the directory its layer is unpacked in (unpacking once). */
  unpack(manifestJson: string): { config: ProcessImageConfig; rootfs: string } {
    const manifest = JSON.parse(manifestJson) as Manifest;
    const layer = manifest.layers.find((l) => l.mediaType === LAYER_MEDIA_TYPE);
    if (manifest.config?.mediaType !== CONFIG_MEDIA_TYPE || !layer) {
      throw new Error(
        `Image is not a stepship process image (config ${manifest.config?.mediaType}); run the local cloud with a Docker engine to run container images`,
      );
    }
    const config = JSON.parse(this.readBlob(manifest.config.digest).toString('utf8')) as ProcessImageConfig;
    const rootfs = join(this.root, 'rootfs', layer.digest.replace(/^sha256:/, ''));
    if (!existsSync(join(rootfs, '.complete'))) {
      for (const [path, data] of Object.entries(unzipSync(this.readBlob(layer.digest)))) {
        const target = join(rootfs, path);
        mkdirSync(join(target, '..'), { recursive: true });
        writeFileSync(target, data);
      }
      writeFileSync(join(rootfs, '.complete'), '');
    }
    return { config, rootfs };
  }
}
