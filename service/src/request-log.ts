import type { RequestHandler } from 'express';

export type LogLine = Record<string, unknown>;
export type Log = (line: LogLine) => void;

export const jsonLog: Log = (line) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
};

/** One JSON line per request, written when the response is finished or the client went away. */
export function requestLog(log: Log): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      log({
        level: 'info',
        msg: 'request',
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    };
    res.on('finish', write);
    res.on('close', write);
    next();
  };
}
