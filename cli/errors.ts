/** Exit codes of every command: 0 success, 1 the deployment or command failed, 2 a usage or input error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An error the CLI explains in one message and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What was asked can't be done as asked: a bad flag, an unknown service or deployment. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The command ran and failed, or what it needs isn't there (stacks, credentials, the endpoint). Exit 1. */
export class CommandFailedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.failed);
    this.name = 'CommandFailedError';
  }
}
