import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { type Log, requestLog } from './request-log.js';
import type { ListTables } from './tables.js';
import type { TaskIdentitySource } from './task-metadata.js';

export interface AppDeps {
  identity: TaskIdentitySource;
  listTables: ListTables;
  region: string | undefined;
  log: Log;
  /** Seconds since the process started; `process.uptime` in production. */
  uptime?: () => number;
}

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export function createApp(deps: AppDeps): Express {
  const uptime = deps.uptime ?? process.uptime;
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(deps.log));
  app.use((_req, res, next) => {
    // Everything the page needs is served from here: no CDN, no inline script.
    res.set({
      'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });

  app.get('/status', async (_req, res) => {
    const identity = await deps.identity.current();
    res.json({ status: 'ok', timestamp: new Date().toISOString(), uptime: uptime(), ...identity });
  });

  app.get('/db', async (_req, res) => {
    try {
      const { tables, truncated } = await deps.listTables();
      if (tables.length === 0) {
        res.json({
          db: 'no-tables',
          message: `No DynamoDB tables found in region ${deps.region ?? '(unset)'}.`,
        });
        return;
      }
      res.json({ db: 'connected', tables, ...(truncated ? { truncated: true } : {}) });
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      deps.log({ level: 'error', msg: 'ListTables failed', error: message });
      res.status(500).json({ db: 'error', message });
    }
  });

  // `/` serves index.html; the page's script and stylesheet sit beside it.
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', fallthrough: true }));

  app.use((req, res) => {
    res.status(404).json({ error: 'NotFound', message: `No route for ${req.method} ${req.path}` });
  });

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = httpStatusOf(err);
    const message = err instanceof Error ? err.message : 'Unexpected error';
    if (status >= 500) deps.log({ level: 'error', msg: 'unhandled error', error: message });
    res.status(status).json({ error: status >= 500 ? 'InternalError' : 'BadRequest', message });
  };
  app.use(onError);
  return app;
}

function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
