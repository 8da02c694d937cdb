import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadResult {
  requests: number;
  failures: string[];
}

/**
 * Steady load through a local load balancer (loopback only): one request at
 * a time, every 25 ms, counting anything but a 200 as a failure. Returns a
 * function that stops it and answers what it saw.
 */
export function steadyLoad(url: string): () => Promise<LoadResult> {
  const state = { requests: 0, failures: [] as string[], running: true };
  const loop = (async () => {
    while (state.running) {
      state.requests++;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status !== 200) state.failures.push(`HTTP ${res.status}`);
      } catch (err) {
        state.failures.push(String(err));
      }
      await sleep(25);
    }
  })();
  return async () => {
    state.running = false;
    await loop;
    return { requests: state.requests, failures: state.failures };
  };
}
