import { isDigest } from './digest.js';

/** The manifest media types a registry takes (schema 1, long deprecated, is refused as AWS and Docker do now). */
export const MANIFEST_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_TYPES: readonly string[] = [MANIFEST_TYPES.dockerManifest, MANIFEST_TYPES.ociManifest];
const INDEX_TYPES: readonly string[] = [MANIFEST_TYPES.dockerList, MANIFEST_TYPES.ociIndex];

/** ECR's own limit on a manifest (PutImage's imageManifest, at most 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export type ParsedManifest =
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[]; artifactType: string }
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] };

/** A manifest that is not one: the registry answers MANIFEST_INVALID, ECR InvalidParameterException. */
export class InvalidManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidManifestError';
  }
}

/**
 * Reads a manifest as the registry receives it: a JSON object of schema
 * version 2, an image manifest (config and layers) or an index (manifests),
 * each descriptor with a media type, a sha256 digest and a size. The media
 * type comes from the manifest, or from the request (Content-Type, or
 * PutImage's imageManifestMediaType); when both are given they must agree.
 */
export function parseManifest(text: string, declaredType?: string): ParsedManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidManifestError('The manifest is not valid JSON');
  }
  if (!isObject(value)) throw new InvalidManifestError('The manifest must be a JSON object');
  if (value.schemaVersion !== 2)
    throw new InvalidManifestError(
      `Unsupported manifest schemaVersion ${JSON.stringify(value.schemaVersion) ?? 'missing'}: only schema version 2 is accepted`,
    );
  const declared = mediaTypeOf(declaredType);
  const own = value.mediaType;
  if (own !== undefined && typeof own !== 'string')
    throw new InvalidManifestError('The manifest mediaType must be a string');
  if (declared && own && declared !== own)
    throw new InvalidManifestError(
      `The manifest's mediaType ${own} does not match the declared media type ${declared}`,
    );
  const mediaType =
    declared || own || ('manifests' in value ? MANIFEST_TYPES.ociIndex : MANIFEST_TYPES.ociManifest);
  if (IMAGE_TYPES.includes(mediaType)) {
    if (!Array.isArray(value.layers)) throw new InvalidManifestError('The manifest has no layers list');
    const config = descriptor(value.config, 'config');
    const artifactType = typeof value.artifactType === 'string' ? value.artifactType : config.mediaType;
    return {
      kind: 'image',
      mediaType,
      config,
      layers: value.layers.map((d, i) => descriptor(d, `layers[${i}]`)),
      artifactType,
    };
  }
  if (INDEX_TYPES.includes(mediaType)) {
    if (!Array.isArray(value.manifests))
      throw new InvalidManifestError('The manifest list has no manifests list');
    return {
      kind: 'index',
      mediaType,
      manifests: value.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)),
    };
  }
  throw new InvalidManifestError(`Unsupported manifest media type ${mediaType}`);
}

/** The blobs an image manifest needs in the registry (an index needs manifests instead). */
export function referencedBlobs(manifest: ParsedManifest): Descriptor[] {
  return manifest.kind === 'image' ? [manifest.config, ...manifest.layers] : [];
}

/** A Content-Type without its parameters; generic JSON types name no manifest type. */
function mediaTypeOf(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  if (!type || type === 'application/json' || type === 'application/octet-stream') return undefined;
  return type;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new InvalidManifestError(`The manifest's ${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '')
    throw new InvalidManifestError(`The manifest's ${where} has no mediaType`);
  if (!isDigest(digest))
    throw new InvalidManifestError(`The manifest's ${where} digest must be sha256: and 64 hex digits`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new InvalidManifestError(`The manifest's ${where} size must be a non-negative integer`);
  return { mediaType, digest, size };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
