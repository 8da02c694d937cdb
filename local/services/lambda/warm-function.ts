import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A function error as Lambda reports it (errorType, errorMessage, trace). */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly trace: string[] = [],
  ) {
    super(message);
    this.name = errorType;
  }

  /** The payload Invoke answers with `X-Amz-Function-Error: Unhandled`. */
  toPayload(): { errorType: string; errorMessage: string; trace: string[] } {
    return { errorType: this.errorType, errorMessage: this.message, trace: this.trace };
  }
}

export interface WorkerSpec {
  /** The bundle's entry file (cdk.out/asset.…/index.mjs). */
  bundle: string;
  /** The export the handler setting names (`handler` of `index.handler`). */
  handlerName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  functionName: string;
  functionArn: string;
  memorySize: number;
  logGroup: string;
}

/** Where a worker's output goes: a new log stream per worker, as Lambda opens one per execution environment. */
export type LogOpener = (stream: string) => (chunk: Buffer | string) => void;

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

interface WorkerMessage {
  ready?: boolean;
  /** The environment is done for (an import error, an unhandled rejection…). */
  fatal?: { name: string; message: string; stack?: string };
  id?: string;
  ok?: boolean;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: FunctionError) => void;
}

/**
 * One function's execution environment: a worker thread running the bundle
 * with the function's own environment, started on first use and kept warm.
 * Whatever goes wrong in it (an import error, a crash, a timeout) rejects
 * the invocations it concerns with Lambda's error type and restarts cold.
 */
export class WarmFunction {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private log: ((chunk: Buffer | string) => void) | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly spec: WorkerSpec,
    private readonly openLog: LogOpener,
  ) {}

  private start(): Promise<void> {
    const s = this.spec;
    const stream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    const write = this.openLog(stream);
    this.log = write;
    const worker = new Worker(WORKER, {
      env: {
        ...s.environment,
        AWS_LAMBDA_FUNCTION_NAME: s.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(s.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: s.logGroup,
        AWS_LAMBDA_LOG_STREAM_NAME: stream,
      },
      workerData: { bundle: s.bundle, handlerName: s.handlerName },
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', write);
    worker.stderr.on('data', write);
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      const failAll = (failure: FunctionError) => {
        reject(failure);
        for (const waiter of this.pending.values()) waiter.reject(failure);
        this.pending.clear();
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.ready) {
          resolve();
          return;
        }
        if (message.fatal) {
          failAll(
            new FunctionError(message.fatal.name, message.fatal.message, message.fatal.stack?.split('\n')),
          );
          void worker.terminate().catch(() => undefined);
          return;
        }
        const waiter = message.id ? this.pending.get(message.id) : undefined;
        if (!waiter || !message.id) return;
        this.pending.delete(message.id);
        if (message.ok) waiter.resolve(message.result);
        else
          waiter.reject(
            new FunctionError(
              message.error?.name ?? 'Error',
              message.error?.message ?? '',
              message.error?.stack?.split('\n') ?? [],
            ),
          );
      });
      // An error at load (a missing module, a throwing top level) or an unhandled rejection in the bundle.
      worker.on('error', (err) =>
        failAll(
          new FunctionError(err.name === 'Error' ? 'Runtime.ImportModuleError' : err.name, err.message),
        ),
      );
      worker.on('exit', (code) =>
        failAll(new FunctionError('Runtime.ExitError', `Runtime exited with error: exit status ${code}`)),
      );
    });
  }

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    this.ready ??= this.start();
    try {
      await this.ready;
      return await this.send(event, requestId);
    } catch (err) {
      const error = err instanceof FunctionError ? err : new FunctionError('Error', String(err));
      // As the Node.js runtime logs an unhandled error, so async invocations' failures are visible too.
      this.log?.(
        `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(error.toPayload())}\n`,
      );
      throw error;
    }
  }

  private send(event: unknown, id: string): Promise<unknown> {
    const s = this.spec;
    const worker = this.worker;
    if (!worker)
      return Promise.reject(new FunctionError('Runtime.ExitError', 'Runtime exited before the invocation'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new FunctionError(
            'Sandbox.Timedout',
            `Task timed out after ${s.timeoutSeconds.toFixed(2)} seconds`,
          ),
        );
        void this.stop();
      }, s.timeoutSeconds * 1000);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        worker.postMessage({
          id,
          event,
          context: {
            awsRequestId: id,
            functionName: s.functionName,
            functionVersion: '$LATEST',
            invokedFunctionArn: s.functionArn,
            memoryLimitInMB: String(s.memorySize),
            logGroupName: s.logGroup,
            timeoutMs: s.timeoutSeconds * 1000,
          },
        });
      } catch (err) {
        // An event the worker can't be handed (too deep to clone): this invocation fails, the worker lives on.
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new FunctionError('Runtime.InvalidEvent', err instanceof Error ? err.message : String(err)));
      }
    });
  }

  /** Ends the environment; pending invocations fail with Runtime.ExitError. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    await worker?.terminate().catch(() => undefined);
  }
}
