import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** One HTTP response as it came off the socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** botocore's paginator for an operation (`paginators-1.json`). */
export interface Paginator {
  input_token: string | string[];
  output_token: string | string[];
  limit_key?: string;
  result_key: string | string[];
}

interface Reply {
  id: number;
  problems?: string[];
  paginator?: Paginator | null;
  operations?: string[];
  error?: string;
  trace?: string;
}

const SERVER = fileURLToPath(new URL('./validator/server.py', import.meta.url));
const PYTHON = process.env.STEPSHIP_PYTHON ?? 'python3';

/**
 * The conformance validator (validator/server.py): Python with botocore, the
 * AWS SDK whose models are independent of the JavaScript SDK the local cloud
 * serializes with. One process serves a whole test file over JSON lines.
 */
export class BotocoreValidator {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private stderr = '';
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    const fail = (why: string) => {
      this.exited = `the validator (${PYTHON} ${SERVER}) ${why}: ${this.stderr.trim()}`;
      for (const resolve of this.waiting.values()) resolve({ id: 0, error: this.exited });
      this.waiting.clear();
    };
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    // Python or botocore missing: say so, rather than letting every case fail obscurely.
    child.on('error', (err) =>
      fail(`could not start (${err.message}); set STEPSHIP_PYTHON to a Python with botocore`),
    );
  }

  static start(): BotocoreValidator {
    const child = spawn(PYTHON, [SERVER], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new BotocoreValidator(child);
  }

  /** What is wrong with `response` as an answer to `operation` of `service` (a botocore service name); empty when nothing. */
  async validate(service: string, operation: string, response: RawResponse): Promise<string[]> {
    const reply = await this.ask({
      cmd: 'validate',
      service,
      operation,
      status: response.status,
      headers: response.headers,
      body: response.body.toString('base64'),
    });
    return reply.problems ?? [];
  }

  async paginator(service: string, operation: string): Promise<Paginator | null> {
    return (await this.ask({ cmd: 'paginator', service, operation })).paginator ?? null;
  }

  async operations(service: string): Promise<string[]> {
    return (await this.ask({ cmd: 'operations', service })).operations ?? [];
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await gone;
  }

  private ask(request: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) =>
        reply.error ? reject(new Error(`validator: ${reply.error}\n${reply.trace ?? ''}`)) : resolve(reply),
      );
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }
}
