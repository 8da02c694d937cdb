import type { OutputOf } from '../../local/core/operation.js';
import {
  type AnyCommand,
  type Case,
  custom,
  fails,
  type Input,
  known,
  ok,
  refuses,
  type World,
} from './harness.js';
import { type PaginationOptions, pagesByDefault, paginates } from './pagination.js';

/**
 * The case helpers with a catalogue's fixture type fixed, so that inputs
 * written as `(f) => ({ … })` are typed by the fixtures and the command.
 */
export function caseBuilders<F>() {
  return {
    ok: <C extends AnyCommand>(
      command: C,
      title: string,
      input: Input<F, C>,
      check?: (output: OutputOf<C>, fixtures: F) => void,
    ) => ok<F, C>(command, title, input, check),
    fails: <C extends AnyCommand>(command: C, title: string, input: Input<F, C>, code: string | string[]) =>
      fails<F, C>(command, title, input, code),
    refuses: <C extends AnyCommand>(command: C, title: string, body: string, code: string | string[]) =>
      refuses<F, C>(command, title, body, code),
    custom: (operation: string, title: string, run: (w: World<F>) => Promise<void>) =>
      custom<F>(operation, title, run),
    paginates: <C extends AnyCommand>(command: C, input: Input<F, C>, options?: PaginationOptions) =>
      paginates<F, C>(command, input, options),
    pagesByDefault: <C extends AnyCommand>(command: C, input: Input<F, C>, size: number) =>
      pagesByDefault<F, C>(command, input, size),
    known: (reason: string, ...cases: Case<F>[]) => known<F>(reason, ...cases),
  };
}
