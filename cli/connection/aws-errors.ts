import { CliError, CommandFailedError } from '../errors.js';
import type { Connection } from './connection.js';

/**
 * What went wrong talking to AWS or the local cloud, in words that say how to
 * fix it: no credentials, an endpoint that doesn't answer, a refusal.
 */
export function explainAwsError(err: unknown, where: Connection): CliError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof CliError) return err;
  if (err.name === 'CredentialsProviderError')
    return new CommandFailedError(
      `No AWS credentials found (${err.message}). Configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or point at the local cloud with --endpoint URL.`,
    );
  const code = networkCode(err);
  if (code && where.endpoint)
    return new CommandFailedError(
      `Can't reach ${where.endpoint} (${code}), chosen by ${where.via}. Is \`stepship start\` still serving? Start it, or use --aws for AWS.`,
    );
  if (code) return new CommandFailedError(`Can't reach AWS in ${where.region} (${code}).`);
  const metadata = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (metadata)
    return new CommandFailedError(
      `${where.target === 'local' ? 'The local cloud' : 'AWS'} answered ${err.name}: ${err.message}`,
    );
  return undefined;
}

/** A connection failure's code, wherever the SDK's HTTP handler put it. */
function networkCode(err: Error): string | undefined {
  const codes = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN)\b/;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    // The SDK may wrap it ("AWS SDK error wrapper for Error: connect ECONNREFUSED …"), keeping only the words.
    const found = codes.exec((e as NodeJS.ErrnoException).code ?? '') ?? codes.exec(e.message);
    if (found) return found[1];
  }
  return undefined;
}
