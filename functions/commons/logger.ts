/** Structured JSON logs, one line per call, carrying the execution id when known. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  with(fields: LogFields): Logger;
}

export function createLogger(
  base: LogFields = {},
  // stdout, not console.log: Lambda passes raw stdout lines through unprefixed, so each stays one JSON object.
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Logger {
  const emit = (level: string, msg: string, fields?: LogFields): void =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }));
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    with: (fields) => createLogger({ ...base, ...fields }, write),
  };
}
