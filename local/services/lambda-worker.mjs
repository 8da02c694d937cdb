// Runs one Lambda function's bundle in a worker thread with the function's
// own environment (process.env is per worker), and answers invocations.
import { parentPort, workerData } from 'node:worker_threads';

const module = await import(workerData.bundle);
const handler = module[workerData.handlerName];

parentPort.on('message', async ({ id, event, context }) => {
  try {
    if (typeof handler !== 'function') {
      throw Object.assign(new Error(`${workerData.handlerName} is not a function exported by the bundle`), {
        name: 'Runtime.HandlerNotFound',
      });
    }
    const deadline = Date.now() + context.timeoutMs;
    const result = await handler(event, {
      ...context,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    parentPort.postMessage({
      id,
      ok: false,
      error: { name: error.name, message: error.message, stack: error.stack },
    });
  }
});
parentPort.postMessage({ ready: true });
