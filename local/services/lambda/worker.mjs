// Runs one Lambda function's bundle in a worker thread with the function's
// own environment (process.env is per worker), and answers invocations.
import { readFileSync } from 'node:fs';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';

// Node reads NODE_EXTRA_CA_CERTS once per process, so a worker with its own variable adds the roots itself.
if (process.env.NODE_EXTRA_CA_CERTS) {
  setDefaultCACertificates([
    ...getCACertificates('default'),
    readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8'),
  ]);
}

// As the Node.js runtime does: a rejection nobody handles, or an exception thrown outside the
// handler's promise, ends the execution environment; the parent fails the invocations in flight.
function fatal(errorType, reason) {
  const error = reason instanceof Error ? reason : new Error(String(reason));
  const message =
    errorType === 'Runtime.UnhandledPromiseRejection' ? `${error.name}: ${error.message}` : error.message;
  parentPort.postMessage({ fatal: { name: errorType, message, stack: error.stack } });
}
process.on('unhandledRejection', (reason) => fatal('Runtime.UnhandledPromiseRejection', reason));
process.on('uncaughtException', (error) => fatal(error?.name ?? 'Error', error));

let module;
try {
  module = await import(workerData.bundle);
} catch (error) {
  fatal('Runtime.ImportModuleError', error);
  await new Promise(() => undefined);
}
const handler = module[workerData.handlerName];

function marshal(result) {
  try {
    // Lambda returns what JSON.stringify makes of the result (Dates as strings, undefined as null).
    return JSON.stringify(result === undefined ? null : result);
  } catch (err) {
    throw Object.assign(new Error(`Unable to marshal response: ${err.message}`), {
      name: 'Runtime.MarshalError',
    });
  }
}

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
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    parentPort.postMessage({ id, ok: true, result: JSON.parse(marshal(result)) });
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
