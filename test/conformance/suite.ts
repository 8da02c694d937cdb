import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpRequest } from '@smithy/types';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { BotocoreValidator } from './botocore-validator.js';
import { captureExchanges, type Exchange, wireErrorCode } from './capture.js';
import { type AnyCommand, type Case, operationOf, type ServiceError, type World } from './harness.js';

/** An SDK client, as far as the suite needs one. */
export interface SdkClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
  forcePathStyle: boolean;
}

export type ClientClass = new (config: ClientConfig) => SdkClient;

/** One emulated service and its catalogue of cases. */
export interface ServiceCatalogue<F> {
  /** botocore's name of the service (`ecs`, `elbv2`, `stepfunctions`). */
  model: string;
  client: ClientClass;
  /** The operations the local cloud serves for it (read from its operation table where it has one). */
  emulated(cloud: LocalCloud): string[];
  /** Prerequisite resources, made through the APIs (unrecorded) before the cases run. */
  setup(w: Pick<World<F>, 'cloud' | 'prepare'> & { clientOf: (c: ClientClass) => SdkClient }): Promise<F>;
  cases: Case<F>[];
}

/**
 * Runs a catalogue against a fresh local cloud: each case is one `it`, and
 * every raw response a case receives is validated against botocore's model
 * of its operation; any problem fails the case with the validator's words.
 */
export function conformanceSuite<F>(title: string, catalogue: ServiceCatalogue<F>): void {
  describe(`${title} answers as botocore's model says`, () => {
    let cloud: LocalCloud;
    let validator: BotocoreValidator;
    let stateDir: string;
    const exchanges: Exchange[] = [];
    const clients: SdkClient[] = [];
    let world: World<F>;

    beforeAll(async () => {
      validator = BotocoreValidator.start();
      stateDir = mkdtempSync(join(tmpdir(), 'stepship-conformance-'));
      cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
      const config: ClientConfig = {
        endpoint: cloud.endpointUrl,
        region: cloud.region,
        credentials: LOCAL_CREDENTIALS,
        // A retried request would hide the first answer.
        maxAttempts: 1,
        forcePathStyle: true,
      };
      const clientOf = (Client: ClientClass) => {
        const client = new Client(config);
        clients.push(client);
        return client;
      };
      const client = clientOf(catalogue.client);
      captureExchanges(client as never, exchanges);
      const send = async <C extends AnyCommand>(command: C, input: unknown) =>
        client.send(new (command as unknown as new (i: unknown) => unknown)(input)) as never;
      const expectingError = async (sending: Promise<unknown>, operation: string): Promise<ServiceError> => {
        try {
          await sending;
        } catch (err) {
          const last = exchanges.at(-1);
          if (!(err instanceof Error) || !last || last.status < 400) throw err;
          return { error: err, code: wireErrorCode(last) };
        }
        throw new Error(`${operation} succeeded; an error was expected`);
      };
      const partial = {
        cloud,
        send,
        prepare: async <C extends AnyCommand>(command: C, input: unknown) => {
          const before = exchanges.length;
          try {
            return await send(command, input);
          } finally {
            exchanges.splice(before);
          }
        },
        sendExpectingError: <C extends AnyCommand>(command: C, input: unknown) =>
          expectingError(send(command, input), operationOf(command)),
        sendBodyExpectingError: <C extends AnyCommand>(command: C, input: unknown, body: string) => {
          const request = new (command as unknown as new (i: unknown) => CommandWithStack)(input);
          replaceBody(request, body);
          return expectingError(client.send(request), operationOf(command));
        },
        paginator: (operation: string) => validator.paginator(catalogue.model, operation),
      };
      const fixtures = await catalogue.setup({ ...partial, clientOf });
      world = { ...partial, fixtures } as World<F>;
      exchanges.length = 0;
    }, 60_000);

    afterAll(async () => {
      for (const client of clients) client.destroy();
      await cloud?.stop();
      await validator?.close();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    });

    for (const c of catalogue.cases) {
      const run = c.known ? it.failing : it;
      run(`${c.operation}: ${c.title}`, async () => {
        exchanges.length = 0;
        let failure: unknown;
        try {
          await c.run(world);
        } catch (err) {
          failure = err;
        }
        const problems = await problemsOf(validator, catalogue.model, exchanges.splice(0));
        if (problems.length > 0)
          throw new Error(
            `${problems.length} conformance problem(s):\n${problems.join('\n')}${failure ? `\nand: ${String(failure)}` : ''}`,
          );
        if (failure) throw failure;
      });
    }

    it('has cases for every operation the local cloud serves', () => {
      const covered = new Set(catalogue.cases.map((c) => c.operation));
      expect(catalogue.emulated(cloud).filter((op) => !covered.has(op))).toEqual([]);
    });

    it('pages every operation botocore paginates', async () => {
      const paged = new Set(catalogue.cases.filter((c) => c.pages).map((c) => c.operation));
      const unpaged: string[] = [];
      for (const op of new Set(catalogue.cases.map((c) => c.operation)))
        if ((await validator.paginator(catalogue.model, op)) && !paged.has(op)) unpaged.push(op);
      expect(unpaged).toEqual([]);
    });
  });
}

async function problemsOf(
  validator: BotocoreValidator,
  model: string,
  exchanges: Exchange[],
): Promise<string[]> {
  if (exchanges.length === 0) return ['the case sent no request (nothing to check)'];
  const problems: string[] = [];
  for (const exchange of exchanges) {
    for (const problem of await validator.validate(model, exchange.operation, exchange))
      problems.push(
        `  ${exchange.operation} → HTTP ${exchange.status}: ${problem}\n      (request: ${exchange.request})`,
      );
  }
  return problems;
}

interface CommandWithStack {
  middlewareStack: { add(middleware: unknown, options: object): void };
}

/** Swaps the serialized body for `body` before the request is signed. */
function replaceBody(command: CommandWithStack, body: string): void {
  command.middlewareStack.add(
    (next: (args: { request: HttpRequest }) => Promise<unknown>) =>
      async (args: { request: HttpRequest }) => {
        args.request.body = body;
        args.request.headers['content-length'] = String(Buffer.byteLength(body));
        return next(args);
      },
    { step: 'build', priority: 'high', name: 'conformanceRawBody' },
  );
}

/** The operation names of a JSON or query service's table (typed or, while services migrate, legacy). */
export function tableOperations(api: { operations: unknown }): string[] {
  const table = api.operations as { names?: () => string[]; byName?: Map<string, unknown> };
  if (typeof table.names === 'function') return table.names();
  if (table.byName instanceof Map) return [...table.byName.keys()];
  throw new Error('unrecognized operation table');
}
