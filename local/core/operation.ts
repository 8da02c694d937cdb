import { NormalizedSchema } from '@smithy/core/schema';
import type { CommandIO } from '@smithy/types';
import type { RequestContext } from './scope.js';

/** Any SDK command class; its instances' CommandIO (the part of a command that carries its types) is read below. */
type AnyCommand = abstract new (
  input: never,
) => { readonly input: object; resolveMiddleware(...args: never[]): unknown };

/** The request an SDK command sends, as its client types it. */
export type InputOf<C extends AnyCommand> = InstanceType<C> extends CommandIO<infer I, infer _O> ? I : never;
/** The response body an SDK command expects (without the SDK's own `$metadata`). */
export type OutputOf<C extends AnyCommand> =
  InstanceType<C> extends CommandIO<infer _I, infer O> ? Omit<O, '$metadata'> : never;

export type Handler<C extends AnyCommand> = (
  input: InputOf<C>,
  ctx: RequestContext,
) => OutputOf<C> | Promise<OutputOf<C>>;

/** Where a REST operation lives: its model's `http` trait (method, path template, success status). */
export interface HttpBinding {
  readonly method: string;
  /** `/v2/apis/{ApiId}`: labels name input members; `{Name+}` takes the rest of the path. */
  readonly path: string;
  readonly code: number;
}

/** One emulated operation: its name and the SDK's schemas of its input and output, and its implementation. */
export interface Operation {
  readonly name: string;
  readonly input: NormalizedSchema;
  readonly output: NormalizedSchema;
  /** The REST binding, for operations of REST protocols (absent on the JSON and query protocols). */
  readonly http?: HttpBinding;
  handle(input: unknown, ctx: RequestContext): Promise<unknown>;
}

/**
 * Defines an operation by the SDK command that calls it: the type checker
 * holds the implementation to the command's input and output types, and the
 * endpoint holds requests and responses to the command's schemas (the same
 * model the SDK serializes with).
 */
export function define<C extends AnyCommand>(command: C, handle: Handler<C>): Operation {
  const schema = new (command as unknown as new (input: object) => { schema: unknown[] })({}).schema;
  if (!Array.isArray(schema) || schema[0] !== 9)
    throw new Error(`${command.name} carries no operation schema`);
  const http = httpBinding(schema[3]);
  return {
    name: String(schema[2]),
    input: NormalizedSchema.of(schema[4] as never),
    output: NormalizedSchema.of(schema[5] as never),
    ...(http ? { http } : {}),
    handle: async (input, ctx) => handle(input as InputOf<C>, ctx),
  };
}

function httpBinding(traits: unknown): HttpBinding | undefined {
  const http =
    typeof traits === 'object' && traits !== null ? (traits as { http?: unknown }).http : undefined;
  if (!Array.isArray(http)) return undefined;
  const [method, path, code] = http as unknown[];
  return typeof method === 'string' && typeof path === 'string'
    ? { method, path, code: typeof code === 'number' ? code : 200 }
    : undefined;
}

/** A service's operations by name; unknown names (including `constructor`, `__proto__`) are simply absent. */
export class OperationTable {
  private readonly byName = new Map<string, Operation>();

  constructor(operations: Operation[]) {
    for (const op of operations) {
      if (this.byName.has(op.name)) throw new Error(`Operation ${op.name} is defined twice`);
      this.byName.set(op.name, op);
    }
  }

  get(name: string): Operation | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
