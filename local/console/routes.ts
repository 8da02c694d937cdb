import { executionModel, type LayoutCache } from './execution-model.js';
import type { ConsoleClients } from './read/clients.js';
import { readDeploymentRecords, readRecord } from './read/deployments.js';
import { anyRunning, readExecution, readMachineExecutions } from './read/executions.js';
import { functionLogGroups, type LogQuery, readLogs } from './read/logs.js';
import { readClusters, type TaskDefinitionCache } from './read/services.js';
import { deploymentsPage, deploymentsSection } from './views/deployments-page.js';
import { executionJson, executionPage } from './views/execution-page.js';
import type { Html } from './views/html.js';
import { logsPage } from './views/logs-page.js';
import { servicesPage, servicesSection } from './views/services-page.js';

/** What a route answers: a page, or the JSON view a page polls. */
export type Answer = { kind: 'html'; body: Html } | { kind: 'json'; body: unknown };

/** A request the console cannot answer as asked: said back to the reader with this HTTP status. */
export class ConsoleRequestError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleRequestError';
  }
}

export interface RouteContext {
  clients: ConsoleClients;
  definitions: TaskDefinitionCache;
  layouts: LayoutCache;
  query: URLSearchParams;
}

/**
 * The console's pages by path (below /_stepship/console/). Each reads what
 * it shows through the AWS APIs at the moment it is asked; a part that
 * cannot be read is named on the page rather than failing all of it.
 */
export const ROUTES: ReadonlyMap<string, (ctx: RouteContext) => Promise<Answer>> = new Map([
  ['', async (ctx) => ({ kind: 'html', body: servicesPage(await services(ctx)) })],
  [
    'services.json',
    async (ctx) => {
      const model = await services(ctx);
      return {
        kind: 'json',
        body: { done: !model.running, sections: { 'services-body': servicesSection(model).text } },
      };
    },
  ],
  ['deployments', async (ctx) => ({ kind: 'html', body: deploymentsPage(await deployments(ctx)) })],
  [
    'deployments.json',
    async (ctx) => {
      const model = await deployments(ctx);
      return {
        kind: 'json',
        body: { done: !model.running, sections: { 'deployments-body': deploymentsSection(model).text } },
      };
    },
  ],
  ['execution', async (ctx) => ({ kind: 'html', body: executionPage(await execution(ctx)) })],
  [
    'execution.json',
    async (ctx) => {
      const after = integer(ctx.query, 'after') ?? 0;
      return { kind: 'json', body: executionJson(await execution(ctx), after) };
    },
  ],
  ['logs', async (ctx) => logs(ctx)],
]);

async function services(ctx: RouteContext) {
  const problems: string[] = [];
  const [clusters, records, running] = await Promise.all([
    readClusters(ctx.clients, ctx.definitions).catch((err) => noted(problems, 'ECS services', err, [])),
    readDeploymentRecords(ctx.clients).catch((err) => noted(problems, 'deployment records', err, [])),
    anyRunning(ctx.clients).catch((err) => noted(problems, 'Step Functions executions', err, false)),
  ]);
  return { clusters, records, running, problems };
}

async function deployments(ctx: RouteContext) {
  const problems: string[] = [];
  const [records, machines] = await Promise.all([
    readDeploymentRecords(ctx.clients).catch((err) => noted(problems, 'deployment records', err, [])),
    readMachineExecutions(ctx.clients).catch((err) => noted(problems, 'Step Functions executions', err, [])),
  ]);
  const running = machines.some((m) => m.executions.some((e) => e.status === 'RUNNING'));
  return { records, machines, running, problems };
}

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

async function execution(ctx: RouteContext) {
  const arn = ctx.query.get('arn') ?? '';
  if (!EXECUTION_ARN.test(arn))
    throw new ConsoleRequestError(400, 'Name an execution by its ARN: ?arn=arn:aws:states:…:execution:…');
  const record = await readExecution(ctx.clients, arn).catch((err: unknown) => {
    if (err instanceof Error && (err.name === 'ExecutionDoesNotExist' || err.name === 'InvalidArn'))
      throw new ConsoleRequestError(404, `No such execution: ${arn}`);
    throw err;
  });
  const [deployment, groups] = await Promise.all([
    readRecord(ctx.clients, record.execution.name ?? '').catch(() => undefined),
    functionLogGroups(ctx.clients).catch(() => new Map<string, string>()),
  ]);
  return executionModel({
    record,
    functionLogGroups: groups,
    layouts: ctx.layouts,
    ...(deployment ? { deployment } : {}),
  });
}

async function logs(ctx: RouteContext): Promise<Answer> {
  const group = ctx.query.get('group') ?? '';
  const stream = ctx.query.get('stream') ?? undefined;
  if (!/^[\w#/.-]{1,512}$/.test(group))
    throw new ConsoleRequestError(400, 'Name a log group: ?group=… (letters, digits, _ - / . #)');
  if (stream !== undefined && (stream.length === 0 || stream.length > 512 || /[:*]/.test(stream)))
    throw new ConsoleRequestError(400, 'A log stream name is 1 to 512 characters, without : or *');
  const query: LogQuery = { group };
  if (stream) query.stream = stream;
  const start = integer(ctx.query, 'start');
  const end = integer(ctx.query, 'end');
  if (start !== undefined) query.start = start;
  if (end !== undefined) query.end = end;
  const page = await readLogs(ctx.clients, query).catch((err: unknown) => {
    if (err instanceof Error && err.name === 'ResourceNotFoundException')
      throw new ConsoleRequestError(404, `No such log group: ${group}`);
    throw err;
  });
  return { kind: 'html', body: logsPage(query, ctx.query.get('title') ?? undefined, page) };
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw new ConsoleRequestError(400, `${name} must be a whole number, got "${text.slice(0, 40)}"`);
  return Number(text);
}

function noted<T>(problems: string[], what: string, err: unknown, fallback: T): T {
  problems.push(`${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  return fallback;
}
