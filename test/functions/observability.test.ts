import { describe, expect, it } from '@jest/globals';
import { createTracer, pointsAtLoopback } from '../../functions/commons/observability.js';

describe('tracing', () => {
  it.each([
    ['http://127.0.0.1:4566', true],
    ['http://127.0.5.9:4566/', true],
    ['http://localhost:4566', true],
    ['http://[::1]:4566', true],
    ['https://ecs.us-east-1.amazonaws.com', false],
    ['http://127.0.0.1.example.com', false],
    ['not a url', false],
    [undefined, false],
  ])('knows whether the endpoint %s is on loopback: %s', (endpoint, loopback) => {
    expect(pointsAtLoopback(endpoint)).toBe(loopback);
  });

  it('is off on the local cloud, even inside a Lambda execution environment', () => {
    const saved = { ...process.env };
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    // An enabled tracer patches Node's http module for the whole worker; this test only asks whether it is on.
    process.env.POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS = 'false';
    try {
      expect(createTracer({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).isTracingEnabled()).toBe(false);
      expect(createTracer({}).isTracingEnabled()).toBe(true);
    } finally {
      process.env = saved;
    }
  });
});
