import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Scope } from '../../core/scope.js';

/** What a task token names: the waiting task, and the account and region it waits in. */
export interface TokenClaims {
  accountId: string;
  region: string;
  /** The waiting task's id in its scope's store. */
  id: string;
}

/**
 * Task tokens as Step Functions hands them out: opaque to the caller, and
 * unforgeable, because a token is signed with a key this local cloud keeps.
 * A token that isn't one of ours (malformed, tampered with, from an earlier
 * run) reads as undefined, which SendTask* answer with InvalidToken; one of
 * ours whose task no longer waits is told apart from that (TaskTimedOut)
 * without keeping every closed token around.
 */
export class TaskTokenMint {
  private readonly key = randomBytes(32);

  mint(scope: Scope): { token: string; claims: TokenClaims } {
    const claims: TokenClaims = { accountId: scope.accountId, region: scope.region, id: randomUUID() };
    const body = Buffer.from(JSON.stringify([claims.accountId, claims.region, claims.id])).toString(
      'base64url',
    );
    return { token: `${body}.${this.sign(body)}`, claims };
  }

  read(token: string): TokenClaims | undefined {
    const [body, signature, ...rest] = token.split('.');
    if (!body || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const [accountId, region, id] = JSON.parse(
        Buffer.from(body, 'base64url').toString('utf8'),
      ) as unknown[];
      if (typeof accountId !== 'string' || typeof region !== 'string' || typeof id !== 'string')
        return undefined;
      return { accountId, region, id };
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
