/**
 * Where a resource lives and where a request is aimed: one account in one
 * region, as AWS partitions every regional service's state. Each emulated
 * service keeps one store per scope (see RegionalStores).
 */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/** What the endpoint knows of one request: its scope (from the SigV4 credential scope) and its id. */
export interface RequestContext extends Scope {
  readonly requestId: string;
  /** The access key the request was signed with, when it was signed. */
  readonly accessKeyId?: string;
}

export const scopeKey = (scope: Scope): string => `${scope.accountId}/${scope.region}`;
