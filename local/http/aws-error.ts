/**
 * An error answered the way the AWS service would: its modeled code (which
 * the SDK maps to the modeled exception class), a readable message, and the
 * HTTP status.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** awsQuery's fault type: "Sender" for the caller's mistakes, "Receiver" for ours. */
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export const validation = (message: string) => new AwsError('ValidationException', message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const unsupported = (service: string, operation: string) =>
  new AwsError(
    'UnsupportedOperation',
    `The stepship local cloud does not implement ${service} ${operation}. See the README's table of emulated operations.`,
    501,
  );

/**
 * Whether a name could be an AWS operation (PascalCase, as every one is):
 * anything else (`constructor`, `__proto__`, `x.y`) is no operation of any
 * service, and answered as AWS answers an unknown one rather than as one the
 * local cloud merely doesn't implement.
 */
export const isOperationName = (name: string): boolean => /^[A-Z][A-Za-z0-9]{0,127}$/.test(name);

export function requireString(
  input: Record<string, unknown>,
  name: string,
  code = 'ValidationException',
): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw new AwsError(
      code,
      `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(
  input: Record<string, unknown>,
  name: string,
  code = 'ValidationException',
): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError(code, `Value at '${name}' must be a string`);
  return value;
}
