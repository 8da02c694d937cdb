import { describe, expect, it } from '@jest/globals';
import { observability } from '../../functions/commons/observability.js';

describe('observability', () => {
  it('gives every line of a step the stepship service name and the step', () => {
    const lines: string[] = [];
    const { logger } = observability('check-rollout');
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write;
    try {
      logger.info('step started');
    } finally {
      process.stdout.write = write;
    }
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'step started',
        service: 'stepship',
        step: 'check-rollout',
      }),
    ]);
  });
});
