import { describe, expect, it } from '@jest/globals';
import { interruptHandler, SAME_INTERRUPT_MS } from '../../cli/interrupts.js';

function world(stopsByItself: boolean) {
  let clock = 1_000;
  const exits: number[] = [];
  const controller = new AbortController();
  const onInterrupt = interruptHandler(controller, {
    stopsByItself: () => stopsByItself,
    exit: (code) => exits.push(code),
    now: () => clock,
  });
  return { controller, exits, onInterrupt, advance: (ms: number) => (clock += ms) };
}

describe('an interrupt', () => {
  it('exits at once from a command that does not stop by itself', () => {
    const { controller, exits, onInterrupt } = world(false);
    onInterrupt(130);
    expect(exits).toEqual([130]);
    expect(controller.signal.aborted).toBe(false);
  });

  it('asks a command that stops by itself to stop, and a later second one exits', () => {
    const { controller, exits, onInterrupt, advance } = world(true);
    onInterrupt(130);
    expect(controller.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
    advance(SAME_INTERRUPT_MS);
    onInterrupt(130);
    expect(exits).toEqual([130]);
  });

  it('counts the same Ctrl-C delivered twice at once (group and wrapper) as one', () => {
    const { controller, exits, onInterrupt, advance } = world(true);
    onInterrupt(130);
    advance(3);
    onInterrupt(130);
    expect(controller.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
  });
});
