import { parseArn } from '../../core/arns.js';

/**
 * The `$context` variables of one request, by their names after `$context.`
 * (`requestId`, `identity.userArn`); a variable without a value is left out
 * and logged as `-`, as API Gateway logs it.
 */
export type AccessLogContext = Record<string, string | number | undefined>;

const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

/**
 * One access log line: the stage's format with each `$context.*` variable
 * replaced by its value. Values are escaped as JSON string content, so a
 * JSON format (CDK's and the console's) stays parseable whatever a header
 * or path holds.
 */
export function formatAccessLog(format: string, context: AccessLogContext): string {
  return format.replace(VARIABLE, (_whole, name: string) => {
    const value = context[name];
    if (value === undefined || value === '') return '-';
    return JSON.stringify(String(value)).slice(1, -1);
  });
}

/** The log group an access log destination names (`arn:aws:logs:…:log-group:NAME`, with or without `:*`). */
export function logGroupOfDestination(destinationArn: string): string | undefined {
  const arn = parseArn(destinationArn);
  if (arn?.service !== 'logs' || !arn.resource.startsWith('log-group:')) return undefined;
  return arn.resource.slice('log-group:'.length).replace(/:\*$/, '');
}
