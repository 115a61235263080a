import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../../functions/explain-failure/explain-failure.ts';

const stageArn =
  'arn:aws:states:us-east-1:123456789012:execution:eks-upgrade-upgrade-stage:run-1-stage2-1a2b3c4d';

describe('explainFailure', () => {
  it("gives back a failed stage execution's own error and cause, and where it happened", () => {
    expect(
      explainFailure({
        Error: 'States.TaskFailed',
        Cause: JSON.stringify({
          ExecutionArn: stageArn,
          Status: 'FAILED',
          Error: 'PodEvictionFailure',
          Cause: 'a budget blocks it',
        }),
      }),
    ).toEqual({ Error: 'PodEvictionFailure', Cause: `a budget blocks it (in execution ${stageArn})` });
  });

  it("reads a Lambda's message out of its JSON, inside a stage's description too", () => {
    const lambdaCause = JSON.stringify({
      errorType: 'UnexpectedResponseError',
      errorMessage: 'EKS answered nothing.',
    });
    expect(explainFailure({ Error: 'UnexpectedResponseError', Cause: lambdaCause })).toEqual({
      Error: 'UnexpectedResponseError',
      Cause: 'EKS answered nothing.',
    });
    expect(
      explainFailure({
        Error: 'States.TaskFailed',
        Cause: JSON.stringify({
          ExecutionArn: stageArn,
          Status: 'FAILED',
          Error: 'UnexpectedResponseError',
          Cause: lambdaCause,
        }),
      }).Cause,
    ).toBe(`EKS answered nothing. (in execution ${stageArn})`);
  });

  it('names a stage execution that timed out or was stopped, which carries no error of its own', () => {
    expect(
      explainFailure({
        Error: 'States.TaskFailed',
        Cause: JSON.stringify({ ExecutionArn: stageArn, Status: 'TIMED_OUT' }),
      }).Error,
    ).toBe('ExecutionTimedOut');
  });

  it('leaves anything else as it is', () => {
    expect(explainFailure({ Error: 'States.Timeout', Cause: 'Task timed out.' })).toEqual({
      Error: 'States.Timeout',
      Cause: 'Task timed out.',
    });
    expect(explainFailure({ Error: 'States.Runtime', Cause: '{not json' })).toEqual({
      Error: 'States.Runtime',
      Cause: '{not json',
    });
  });
});
