import { type CaughtError, readFailure } from '../shared/step-failure.ts';

export interface ExplainFailureEvent {
  /** The error as a Catch recorded it. */
  error: CaughtError;
  /** The execution's input, when the failure is a refusal of it: names the cluster in the subject. */
  input?: unknown;
}

export interface Explanation {
  Error: string;
  Cause: string;
  /** An SNS subject for a refusal (at most 100 characters, one line). */
  Subject: string;
}

/** EKS's cluster name rule: only such a name is put in a subject (SNS refuses some characters). */
const clusterNamePattern = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/**
 * The Error and Cause a person and the fleet summary read: the failing stage's own error (an EKS
 * error code, a deferral, a named workflow error) instead of States.TaskFailed around a description
 * of the stage execution, and a Lambda's message instead of its JSON.
 */
export function explainFailure({ error: caught, input }: ExplainFailureEvent): Explanation {
  const { error, cause, executionArn } = readFailure(caught);
  return {
    Error: error,
    Cause: executionArn ? `${cause} (in execution ${executionArn})` : cause,
    Subject: refusalSubject(input),
  };
}

function refusalSubject(input: unknown): string {
  const name =
    typeof input === 'object' && input !== null && 'clusterName' in input ? input.clusterName : undefined;
  if (typeof name !== 'string' || !clusterNamePattern.test(name))
    return 'EKS upgrade refused before any change';
  const room = 100 - 'EKS  upgrade refused before any change'.length;
  return `EKS ${name.length > room ? `${name.slice(0, room - 3)}...` : name} upgrade refused before any change`;
}
