import type { LocalCloud } from '../../local/cloud.js';
import type { InputOf, OutputOf } from '../../local/core/operation.js';
import type { Paginator } from './botocore-validator.js';

/** An SDK command class (`ListClustersCommand`); the same constraint the local cloud's `define` uses. */
export type AnyCommand = abstract new (
  input: never,
) => { readonly input: object; resolveMiddleware(...args: never[]): unknown };

/** A request's input, or how to make it from the fixtures once they exist. */
export type Input<F, C extends AnyCommand> = InputOf<C> | ((fixtures: F) => InputOf<C>);

/** An error a service answered: what the SDK raised, and the code on the wire. */
export interface ServiceError {
  error: Error;
  /** The code as sent (`TargetGroupNotFound`, where the SDK names it TargetGroupNotFoundException). */
  code: string;
}

/** What a case works with: the fresh local cloud, the service's client, the fixtures. */
export interface World<F> {
  cloud: LocalCloud;
  fixtures: F;
  /** Sends through the service's capturing client; SDK errors are thrown. */
  send<C extends AnyCommand>(command: C, input: InputOf<C>): Promise<OutputOf<C>>;
  /** Sends, and answers the error the service answered (fails the case when it succeeds). */
  sendExpectingError<C extends AnyCommand>(command: C, input: InputOf<C>): Promise<ServiceError>;
  /**
   * Sends `body` in place of what the SDK would serialize from `input` (a
   * request no SDK would send: a member of the wrong type, broken JSON), and
   * answers the error the service answered.
   */
  sendBodyExpectingError<C extends AnyCommand>(
    command: C,
    input: InputOf<C>,
    body: string,
  ): Promise<ServiceError>;
  /** Sends without recording the exchange: a step that prepares a case, not what the case checks. */
  prepare<C extends AnyCommand>(command: C, input: InputOf<C>): Promise<OutputOf<C>>;
  /** botocore's paginator of an operation of this service. */
  paginator(operation: string): Promise<Paginator | null>;
}

/** One conformance case: one `it`, named after its operation and what it shows. */
export interface Case<F> {
  operation: string;
  title: string;
  /** This case walks the operation's pages (botocore paginates it). */
  pages?: boolean;
  /** A violation the local cloud can't fix (the reason says why): runs as `it.failing`, so a fix shows. */
  known?: string;
  run(world: World<F>): Promise<void>;
}

/** `ListClustersCommand` → `ListClusters`, the model's operation name. */
export function operationOf(command: AnyCommand): string {
  return command.name.replace(/Command$/, '');
}

export function resolve<F, C extends AnyCommand>(input: Input<F, C>, fixtures: F): InputOf<C> {
  return typeof input === 'function' ? (input as (f: F) => InputOf<C>)(fixtures) : input;
}

/** The operation succeeds; `check` holds its answer to what the call asked for. */
export function ok<F, C extends AnyCommand>(
  command: C,
  title: string,
  input: Input<F, C>,
  check?: (output: OutputOf<C>, fixtures: F) => void,
): Case<F> {
  return {
    operation: operationOf(command),
    title,
    run: async (w) => {
      const output = await w.send(command, resolve(input, w.fixtures));
      check?.(output, w.fixtures);
    },
  };
}

/** The operation answers the service's error `code` (the validator checks the model declares it). */
export function fails<F, C extends AnyCommand>(
  command: C,
  title: string,
  input: Input<F, C>,
  code: string | string[],
): Case<F> {
  return {
    operation: operationOf(command),
    title,
    run: async (w) => {
      const answered = await w.sendExpectingError(command, resolve(input, w.fixtures));
      const codes = Array.isArray(code) ? code : [code];
      if (!codes.includes(answered.code))
        throw new Error(`expected ${codes.join(' or ')}, got ${answered.code}: ${answered.error.message}`);
    },
  };
}

/**
 * A request body no SDK would send (the operation's input serialized by hand,
 * wrongly) is refused with `code`, never a crash or a 500.
 */
export function refuses<F, C extends AnyCommand>(
  command: C,
  title: string,
  body: string,
  code: string | string[],
): Case<F> {
  return {
    operation: operationOf(command),
    title,
    run: async (w) => {
      const answered = await w.sendBodyExpectingError(command, {} as InputOf<C>, body);
      const codes = Array.isArray(code) ? code : [code];
      if (!codes.includes(answered.code))
        throw new Error(`expected ${codes.join(' or ')}, got ${answered.code}: ${answered.error.message}`);
    },
  };
}

/** A case of its own making, for what `ok`/`fails` can't say. */
export function custom<F>(operation: string, title: string, run: (w: World<F>) => Promise<void>): Case<F> {
  return { operation, title, run };
}

/**
 * Marks cases as a violation that can't be fixed in the local cloud, `reason`
 * saying why: they run as `it.failing`, so the day they pass jest says so.
 */
export function known<F>(reason: string, ...cases: Case<F>[]): Case<F>[] {
  return cases.map((c) => ({ ...c, known: reason }));
}
