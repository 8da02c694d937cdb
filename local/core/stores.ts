import { type Scope, scopeKey } from './scope.js';

/**
 * One emulated service's state, one store per account and region (as
 * LocalStack's AccountRegionBundle): the API layer and the service's
 * background workers (schedulers, health checks, builds) share it.
 */
export class RegionalStores<S> {
  private readonly stores = new Map<string, { scope: Scope; store: S }>();

  constructor(private readonly create: (scope: Scope) => S) {}

  /** The store of `scope`, created empty on first use. */
  of(scope: Scope): S {
    const key = scopeKey(scope);
    let entry = this.stores.get(key);
    if (!entry) {
      entry = { scope: { accountId: scope.accountId, region: scope.region }, store: this.create(scope) };
      this.stores.set(key, entry);
    }
    return entry.store;
  }

  /** Takes `store` as the store of `scope` (one kept from an earlier run). */
  adopt(scope: Scope, store: S): void {
    this.stores.set(scopeKey(scope), { scope: { accountId: scope.accountId, region: scope.region }, store });
  }

  /** Every store created so far, with its scope (for background workers). */
  *entries(): IterableIterator<[Scope, S]> {
    for (const { scope, store } of this.stores.values()) yield [scope, store];
  }
}
