import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readBody } from '../http/json-protocol.js';
import type { LogsService } from './logs.js';

export interface FunctionDefinition {
  name: string;
  arn: string;
  /** The bundle's entry file (cdk.out/asset.…/index.mjs). */
  bundle: string;
  handlerName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  logGroup: string;
}

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
}

const WORKER = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class WarmFunction {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly definition: FunctionDefinition,
    private readonly logs: LogsService,
  ) {}

  private start(): Promise<void> {
    const d = this.definition;
    const stream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    const write = this.logs.writer(d.logGroup, stream);
    const worker = new Worker(WORKER, {
      env: d.environment,
      workerData: { bundle: d.bundle, handlerName: d.handlerName },
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', write);
    worker.stderr.on('data', write);
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on(
        'message',
        (message: {
          ready?: boolean;
          id?: string;
          ok?: boolean;
          result?: unknown;
          error?: { name: string; message: string; stack?: string };
        }) => {
          if (message.ready) {
            resolve();
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
        },
      );
      worker.on('error', (err) => {
        // An error at load (e.g. a missing environment variable) fails this and every pending invocation.
        const failure = new FunctionError(
          err.name === 'Error' ? 'Runtime.ImportModuleError' : err.name,
          err.message,
        );
        reject(failure);
        for (const waiter of this.pending.values()) waiter.reject(failure);
        this.pending.clear();
        this.worker = undefined;
        this.ready = undefined;
      });
      worker.on('exit', () => {
        this.worker = undefined;
        this.ready = undefined;
      });
    });
    return ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    this.ready ??= this.start();
    await this.ready;
    const id = randomUUID();
    const d = this.definition;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new FunctionError(
            'Sandbox.Timedout',
            `Task timed out after ${d.timeoutSeconds.toFixed(2)} seconds`,
          ),
        );
        this.stop();
      }, d.timeoutSeconds * 1000);
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
      this.worker?.postMessage({
        id,
        event,
        context: {
          awsRequestId: id,
          functionName: d.name,
          invokedFunctionArn: d.arn,
          timeoutMs: d.timeoutSeconds * 1000,
        },
      });
    });
  }

  stop(): Promise<number> | undefined {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    return worker?.terminate();
  }
}

/**
 * Lambda: the synthesized bundles, each run warm in a worker thread with its
 * template environment. Invoke works as on AWS: RequestResponse answers the
 * result (or the function error with X-Amz-Function-Error), Event answers 202.
 */
export class LambdaService {
  private readonly functions = new Map<string, WarmFunction>();
  invocations = 0;

  constructor(private readonly logs: LogsService) {}

  create(definition: FunctionDefinition): void {
    this.logs.createGroup(definition.logGroup);
    this.functions.set(definition.name, new WarmFunction(definition, this.logs));
  }

  find(nameOrArn: string): WarmFunction | undefined {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    return this.functions.get(name);
  }

  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const fn = this.find(nameOrArn);
    if (!fn) throw new FunctionError('ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    this.invocations++;
    return fn.invoke(event);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.functions.values()].map((f) => f.stop()));
  }

  list(): FunctionDefinition[] {
    return [...this.functions.values()].map((f) => f.definition);
  }

  /** `POST /2015-03-31/functions/{name}/invocations`, `GET /2015-03-31/functions/`. */
  readonly rest = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (req.method === 'GET' && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
      const functions = this.list().map((f) => ({
        FunctionName: f.name,
        FunctionArn: f.arn,
        Runtime: 'nodejs24.x',
        Handler: `index.${f.handlerName}`,
        Timeout: f.timeoutSeconds,
        LoggingConfig: { LogFormat: 'Text', LogGroup: f.logGroup },
      }));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Functions: functions }));
      return;
    }
    if (req.method !== 'POST' || !invoke) {
      sendLambdaError(
        res,
        400,
        'InvalidRequestContentException',
        `The local cloud serves Lambda Invoke and ListFunctions only (got ${req.method} ${url.pathname})`,
      );
      return;
    }
    const name = decodeURIComponent(invoke[1] ?? '');
    const fn = this.find(name);
    if (!fn) {
      sendLambdaError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
      return;
    }
    const raw = (await readBody(req)).toString('utf8');
    let event: unknown;
    try {
      event = raw === '' ? {} : JSON.parse(raw);
    } catch {
      sendLambdaError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      return;
    }
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type === 'DryRun') {
      res.writeHead(204).end();
      return;
    }
    if (type === 'Event') {
      this.invoke(name, event).catch(() => undefined);
      res.writeHead(202).end();
      return;
    }
    try {
      const result = await this.invoke(name, event);
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
        .end(JSON.stringify(result));
    } catch (err) {
      const e = err instanceof FunctionError ? err : new FunctionError('Error', String(err));
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-function-error': 'Unhandled',
          'x-amz-executed-version': '$LATEST',
        })
        .end(JSON.stringify({ errorType: e.errorType, errorMessage: e.message, trace: e.trace }));
    }
  };
}

function sendLambdaError(res: ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code })
    .end(JSON.stringify({ Type: 'User', message }));
}
