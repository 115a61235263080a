import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../../functions/explain-failure/explain-failure.ts';

const stageArn =
  'arn:aws:states:us-east-1:123456789012:execution:eks-upgrade-upgrade-stage:run-1-stage2-1a2b3c4d';
const described = (fields: Record<string, string>) => JSON.stringify({ ExecutionArn: stageArn, ...fields });

describe('explainFailure', () => {
  it("gives back a failed stage execution's own error and cause, and where it happened", () => {
    const caught = {
      Error: 'States.TaskFailed',
      Cause: described({ Status: 'FAILED', Error: 'PodEvictionFailure', Cause: 'a budget blocks it' }),
    };
    expect(explainFailure({ error: caught })).toMatchObject({
      Error: 'PodEvictionFailure',
      Cause: `a budget blocks it (in execution ${stageArn})`,
    });
  });

  it("reads a Lambda's message out of its JSON, inside a stage's description too", () => {
    const lambdaCause = JSON.stringify({
      errorType: 'UnexpectedResponseError',
      errorMessage: 'EKS answered nothing.',
    });
    expect(explainFailure({ error: { Error: 'UnexpectedResponseError', Cause: lambdaCause } })).toMatchObject(
      {
        Error: 'UnexpectedResponseError',
        Cause: 'EKS answered nothing.',
      },
    );
    const caught = {
      Error: 'States.TaskFailed',
      Cause: described({ Status: 'FAILED', Error: 'UnexpectedResponseError', Cause: lambdaCause }),
    };
    expect(explainFailure({ error: caught }).Cause).toBe(`EKS answered nothing. (in execution ${stageArn})`);
  });

  it('names a stage execution that timed out or was stopped, which carries no error of its own', () => {
    const caught = { Error: 'States.TaskFailed', Cause: described({ Status: 'TIMED_OUT' }) };
    expect(explainFailure({ error: caught }).Error).toBe('ExecutionTimedOut');
  });

  it('leaves anything else as it is', () => {
    expect(explainFailure({ error: { Error: 'States.Timeout', Cause: 'Task timed out.' } })).toMatchObject({
      Error: 'States.Timeout',
      Cause: 'Task timed out.',
    });
    expect(explainFailure({ error: { Error: 'States.Runtime', Cause: '{not json' } })).toMatchObject({
      Error: 'States.Runtime',
      Cause: '{not json',
    });
  });

  it('names the cluster in a refusal subject when the input gives a valid name, and never breaks SNS', () => {
    const refused = { Error: 'ClusterNotFoundError', Cause: 'No cluster prod-a.' };
    expect(explainFailure({ error: refused, input: { clusterName: 'prod-a' } }).Subject).toBe(
      'EKS prod-a upgrade refused before any change',
    );
    const long = explainFailure({ error: refused, input: { clusterName: `c${'x'.repeat(99)}` } }).Subject;
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^EKS cx+\.\.\. upgrade refused before any change$/);
    for (const input of [[], 'x', null, { clusterName: 'bad\nname' }, { clusterName: 42 }]) {
      expect(explainFailure({ error: refused, input }).Subject).toBe('EKS upgrade refused before any change');
    }
  });
});
