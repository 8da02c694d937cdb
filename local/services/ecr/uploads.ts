import { createHash, type Hash, randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Scope } from '../../core/scope.js';

/** A blob upload in progress: its bytes on disk, their running hash. */
export interface Upload {
  id: string;
  scope: Scope;
  repository: string;
  file: string;
  size: number;
  hash: Hash;
  touchedAt: number;
  /** A request is writing to it: a second one at once is refused, not interleaved. */
  busy: boolean;
}

/** Too many bytes for one blob, or too many uploads at once. */
export class UploadLimitError extends Error {
  constructor(
    message: string,
    readonly code: 'SIZE_INVALID' | 'TOOMANYREQUESTS',
  ) {
    super(message);
    this.name = 'UploadLimitError';
  }
}

export interface UploadLimits {
  /** An upload untouched this long is dropped (its file deleted). */
  idleMs: number;
  maxBlobBytes: number;
  maxUploads: number;
}

/**
 * The registry's blob uploads: each one a file in the image store's upload
 * folder and a running sha256, so a layer of any size costs no memory; an
 * upload left idle expires, and their number is capped.
 */
export class Uploads {
  private readonly byId = new Map<string, Upload>();

  constructor(
    private readonly folder: string,
    private readonly limits: UploadLimits,
    private readonly now: () => number = Date.now,
  ) {}

  start(scope: Scope, repository: string): Upload {
    this.expireIdle();
    if (this.byId.size >= this.limits.maxUploads)
      throw new UploadLimitError(`${this.byId.size} uploads are already in progress`, 'TOOMANYREQUESTS');
    const id = randomUUID();
    const upload: Upload = {
      id,
      scope,
      repository,
      file: join(this.folder, id),
      size: 0,
      hash: createHash('sha256'),
      touchedAt: this.now(),
      busy: false,
    };
    closeSync(openSync(upload.file, 'w'));
    this.byId.set(id, upload);
    return upload;
  }

  /** The upload `id` of this repository, if it is still in progress. */
  find(scope: Scope, repository: string, id: string): Upload | undefined {
    this.expireIdle();
    const upload = this.byId.get(id);
    if (!upload || upload.repository !== repository || upload.scope.accountId !== scope.accountId)
      return undefined;
    if (upload.scope.region !== scope.region) return undefined;
    return upload;
  }

  /** Appends a request's body, streaming it to the upload's file. */
  async append(upload: Upload, body: IncomingMessage): Promise<void> {
    upload.busy = true;
    const fd = openSync(upload.file, 'a');
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        if (upload.size + bytes.length > this.limits.maxBlobBytes)
          throw new UploadLimitError(
            `A blob may be at most ${this.limits.maxBlobBytes} bytes`,
            'SIZE_INVALID',
          );
        writeSync(fd, bytes);
        upload.hash.update(bytes);
        upload.size += bytes.length;
      }
    } finally {
      closeSync(fd);
      upload.busy = false;
      upload.touchedAt = this.now();
    }
  }

  /** Ends an upload: its digest, and the file to adopt (the caller owns it from now on). */
  finish(upload: Upload): { digest: string; file: string } {
    this.byId.delete(upload.id);
    return { digest: `sha256:${upload.hash.digest('hex')}`, file: upload.file };
  }

  cancel(upload: Upload): void {
    this.byId.delete(upload.id);
    rmSync(upload.file, { force: true });
  }

  get size(): number {
    return this.byId.size;
  }

  /** Drops uploads idle longer than the limit. Runs on every registry request. */
  expireIdle(): void {
    const cutoff = this.now() - this.limits.idleMs;
    for (const upload of this.byId.values())
      if (!upload.busy && upload.touchedAt < cutoff) this.cancel(upload);
  }
}
