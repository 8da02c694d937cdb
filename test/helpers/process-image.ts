import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../local/images/digest.js';
import { ImageStore } from '../../local/images/image-store.js';

/**
 * Pushes a local process image (the files given, run with `entrypoint`) to
 * a local cloud's registry API as Docker would, blob by blob then the
 * manifest; answers the manifest's digest. The repository must exist.
 */
export async function pushProcessImage(options: {
  endpointUrl: string;
  repository: string;
  tag: string;
  files: Record<string, string>;
  entrypoint: string[];
  /** Headers every registry request carries (a bearer token in strict mode). */
  headers?: Record<string, string>;
}): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'stepship-image-'));
  try {
    const store = new ImageStore(scratch);
    const manifest = store.createImage(
      Object.fromEntries(Object.entries(options.files).map(([path, text]) => [path, Buffer.from(text)])),
      { entrypoint: options.entrypoint, env: {}, exposedPorts: [] },
    );
    const parsed = JSON.parse(manifest) as { config: { digest: string }; layers: { digest: string }[] };
    const base = `${options.endpointUrl}/v2/${options.repository}`;
    for (const digest of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
      const answer = await fetch(`${base}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...options.headers },
        body: store.readBlob(digest),
      });
      if (answer.status !== 201)
        throw new Error(`blob upload answered ${answer.status}: ${await answer.text()}`);
    }
    const put = await fetch(`${base}/manifests/${options.tag}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', ...options.headers },
      body: manifest,
    });
    if (put.status !== 201) throw new Error(`manifest push answered ${put.status}: ${await put.text()}`);
    return sha256(Buffer.from(manifest));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
