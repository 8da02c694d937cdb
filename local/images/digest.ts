import { createHash } from 'node:crypto';

/** The only digest algorithm the local registry takes, in its canonical form. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export const sha256 = (data: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Whether a value is a digest that may name a blob: also what keeps a digest safe to use as a file name. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** A digest that is not `sha256:` and 64 lowercase hex digits: the registry answers DIGEST_INVALID, ECR InvalidParameterException. */
export class InvalidDigestError extends Error {
  constructor(readonly digest: string) {
    super(
      `Invalid digest ${JSON.stringify(digest.length > 80 ? `${digest.slice(0, 80)}…` : digest)}: expected sha256: and 64 hex digits`,
    );
    this.name = 'InvalidDigestError';
  }
}
