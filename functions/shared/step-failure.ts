/** An error as a Catch records it: Step Functions' `Error` and `Cause`. */
export interface CaughtError {
  Error?: string | undefined;
  Cause?: string | undefined;
}

/** The error that really ended a step, in plain words. */
export interface StepFailure {
  error: string;
  cause: string;
  /** The child execution it happened in, when it came from one. */
  executionArn?: string;
}

/**
 * What went wrong, read out of the wrappers Step Functions puts around it. A child run by
 * `startExecution.sync` fails its parent's task with States.TaskFailed and the child described,
 * as JSON, in the Cause (its Error and Cause inside); a Lambda function's Cause is JSON with
 * errorType and errorMessage. Unwrapped as often as they nest; anything else is returned as it is.
 */
export function readFailure(caught: CaughtError): StepFailure {
  const error = caught.Error ?? 'Unknown';
  const cause = caught.Cause ?? '';
  const parsed = parseObject(cause);
  if (!parsed) return { error, cause };
  const errorMessage = field(parsed, 'errorMessage');
  if (errorMessage !== undefined) return { error: field(parsed, 'errorType') ?? error, cause: errorMessage };
  const status = field(parsed, 'Status');
  const executionArn = field(parsed, 'ExecutionArn');
  const innerError = field(parsed, 'Error') ?? (status ? `Execution${capitalized(status)}` : undefined);
  if (innerError !== undefined) {
    const inner = readFailure({
      Error: innerError,
      Cause: field(parsed, 'Cause') ?? `The execution ended ${status ?? 'without a cause'}.`,
    });
    const arn = inner.executionArn ?? executionArn;
    return { ...inner, ...(arn ? { executionArn: arn } : {}) };
  }
  return { error, cause };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A string field, as AWS spells it (PascalCase) or as its SDK does (camelCase). */
function field(object: Record<string, unknown>, name: string): string | undefined {
  const value = object[name] ?? object[`${name.charAt(0).toLowerCase()}${name.slice(1)}`];
  return typeof value === 'string' ? value : undefined;
}

function capitalized(status: string): string {
  return status
    .toLowerCase()
    .split('_')
    .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join('');
}
