import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * ECR's authorization tokens for the registry API: what GetAuthorizationToken
 * hands out (`AWS:<password>`, base64) and what `docker login` then sends.
 * A password names its registry and expiry and is signed with the local
 * cloud's key, so only one the cloud issued, unexpired, is taken.
 */
export class RegistryTokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** The password of a token for `registryId`, valid until `expiresAt`. */
  issue(registryId: string, expiresAt: Date): string {
    const body = `${registryId}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return `stepship.${body}.${this.mac(body)}`;
  }

  /** The registry a password was issued for, when it is one of ours and unexpired. */
  verify(password: string): string | undefined {
    const match = /^stepship\.(\d{12})\.(\d{1,12})\.([\w-]{43})$/.exec(password);
    if (!match) return undefined;
    const [, registryId = '', expires = '', mac = ''] = match;
    const expected = this.mac(`${registryId}.${expires}`);
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(mac))) return undefined;
    return Number(expires) * 1000 > this.now() ? registryId : undefined;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
