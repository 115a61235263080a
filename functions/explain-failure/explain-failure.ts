import { type CaughtError, readFailure } from '../shared/step-failure.ts';

/**
 * The Error and Cause a person and the fleet summary read: the failing stage's own error (an EKS
 * error code, a deferral, a named workflow error) instead of States.TaskFailed around a description
 * of the stage execution, and a Lambda's message instead of its JSON.
 */
export function explainFailure(caught: CaughtError): { Error: string; Cause: string } {
  const { error, cause, executionArn } = readFailure(caught);
  return { Error: error, Cause: executionArn ? `${cause} (in execution ${executionArn})` : cause };
}
