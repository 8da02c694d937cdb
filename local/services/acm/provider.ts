import { randomUUID } from 'node:crypto';
import { arns, parseArn, scopeOfArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';

export interface LocalCertificate {
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
}

/**
 * Certificate Manager as far as the load balancer needs it: the names each
 * certificate is for. There is no DNS to validate against, so a requested
 * certificate counts as issued at once; the key and chain are the local CA's,
 * made by the listener that serves it. The ACM API itself is not served.
 */
export class Acm {
  readonly stores = new RegionalStores(() => new Map<string, LocalCertificate>());

  requestCertificate(
    scope: Scope,
    domainName: string,
    subjectAlternativeNames: string[] = [],
  ): LocalCertificate {
    const certificate = {
      arn: arns.acmCertificate(scope, randomUUID()),
      domainName,
      subjectAlternativeNames: [...new Set([domainName, ...subjectAlternativeNames])],
    };
    this.stores.of(scope).set(certificate.arn, certificate);
    return certificate;
  }

  /** The names a certificate is for, in whichever scope its ARN names; undefined for one it never issued. */
  namesOf(arn: string, fallback: Scope): string[] | undefined {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'acm') return undefined;
    return this.stores.of(scopeOfArn(parsed, fallback)).get(arn)?.subjectAlternativeNames;
  }
}
