import { type Operation, OperationTable } from '../core/operation.js';
import type { Scope } from '../core/scope.js';
import type { RegionalStores } from '../core/stores.js';
import type { JsonService } from '../http/json-protocol.js';
import { SnapshotFile } from './snapshot-file.js';

/**
 * A service's stores kept in the state directory: restored when the local
 * cloud starts, saved after every change (the service says when, or
 * `savingAfterWrites` does for services changed only through their API).
 */
export class DurableStores<S> {
  private readonly file: SnapshotFile<[Scope, S][]>;

  constructor(
    private readonly stores: RegionalStores<S>,
    path: string,
  ) {
    this.file = new SnapshotFile(path);
    for (const [scope, store] of this.file.load() ?? []) stores.adopt(scope, store);
  }

  save(): void {
    this.file.save([...this.stores.entries()]);
  }
}

/** Operations that only read: every AWS API names them so. */
const READS = /^(Get|Describe|List|BatchGet)/;

/** The service's API, with a save after each operation that may have written and succeeded. */
export function savingAfterWrites(api: JsonService, save: () => void): JsonService {
  const operations = api.operations.names().map((name): Operation => {
    const operation = api.operations.get(name) as Operation;
    if (READS.test(name)) return operation;
    return {
      ...operation,
      handle: async (input, ctx) => {
        const output = await operation.handle(input, ctx);
        save();
        return output;
      },
    };
  });
  return { ...api, operations: new OperationTable(operations) };
}
