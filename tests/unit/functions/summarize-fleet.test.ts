import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeFleet } from '../../../functions/summarize-fleet/summarize-fleet.ts';

describe('summarizeFleet', () => {
  it('names every cluster with its outcome, versions and, for a failure, the EKS error in plain words', () => {
    const summary = summarizeFleet(JSON.parse(readFileSync('events/summarize-fleet.json', 'utf8')));
    expect(summary).toEqual({
      subject: 'EKS fleet fleet-20261129T0200Z: 1 of 2 FAILED',
      message: [
        'Fleet run fleet-20261129T0200Z: 1 UPGRADED, 1 FAILED.',
        '',
        '- prod-a: UPGRADED (1.30 -> 1.31), execution prod-a-20261129T0200Z',
        '- prod-b: FAILED, execution prod-b-20261129T0200Z',
        '  PodEvictionFailure: Node group apps could not evict pods: a pod disruption budget blocks it.',
      ].join('\n'),
      failed: 1,
    });
  });

  it('counts deferred and planned clusters as done, and keeps a start refused by AWS readable', () => {
    const summary = summarizeFleet({
      executionName: 'w',
      results: [
        { clusterName: 'a', executionName: 'a-w', status: 'SUCCEEDED', outcome: 'DEFERRED' },
        {
          clusterName: 'b',
          executionName: 'b-w',
          status: 'FAILED',
          failure: { Error: 'StepFunctions.AccessDeniedException', Cause: 'not authorized' },
        },
        { clusterName: 'c', executionName: 'c-w', status: 'FAILED', failure: { Error: 'States.Timeout' } },
      ],
    });
    expect(summary.failed).toBe(2);
    expect(summary.message).toContain('  States.Timeout: ');
    expect(summary.message).toContain('- a: DEFERRED, execution a-w');
    expect(summary.message).toContain('  StepFunctions.AccessDeniedException: not authorized');
  });

  it('refuses a malformed record with a named error', () => {
    expect(() => summarizeFleet({ results: 'x' })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError' }),
    );
  });
});

describe('summarizeFleet and a cluster another execution was upgrading', () => {
  it('reports it BUSY, not FAILED: the other execution reports its own end', () => {
    const busy = {
      Error: 'States.TaskFailed',
      Cause: JSON.stringify({
        ExecutionArn:
          'arn:aws:states:us-east-1:1:execution:eks-upgrade-upgrade-cluster:prod-a-20261129T0200Z',
        Status: 'FAILED',
        Error: 'ClusterBusyError',
        Cause: 'Cluster prod-a is being upgraded by execution ami-1.32.12-20261126-prod-a.',
      }),
    };
    const summary = summarizeFleet({
      executionName: 'fleet-1',
      results: [
        { clusterName: 'prod-a', executionName: 'prod-a-20261129T0200Z', status: 'FAILED', failure: busy },
      ],
    });
    expect(summary).toMatchObject({ failed: 0, subject: 'EKS fleet fleet-1: done' });
    expect(summary.message).toContain('- prod-a: BUSY, execution prod-a-20261129T0200Z');
    expect(summary.message).toContain('ClusterBusyError: Cluster prod-a is being upgraded by execution');
  });
});
