import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StageFailedError } from '../../../functions/close-stage/close-stage.ts';
import {
  InsightsRefreshPendingError,
  InvalidInputError,
  UnexpectedResponseError,
} from '../../../functions/shared/errors.ts';
import { publishMetrics } from '../../../functions/shared/handler-kit.ts';
import { metricsOfError, metricsOfOutput } from '../../../functions/shared/step-metrics.ts';
import type { UpdateProgress } from '../../../functions/shared/types.ts';

const update: UpdateProgress = {
  kind: 'nodegroup',
  clusterName: 'prod',
  nodegroupName: 'ng',
  target: '1.19',
  updateId: 'u-1',
  status: 'InProgress',
  adopted: false,
  expectedSeconds: 3600,
  nextWaitSeconds: 300,
  startedAt: null,
  finishedAt: null,
  polls: 0,
};

describe('metricsOfOutput', () => {
  it('counts an update started or adopted once, at the step that sent it', () => {
    expect(metricsOfOutput(update)).toEqual([
      { name: 'UpdatesStarted', unit: 'Count', value: 1, dimensions: { Kind: 'nodegroup' } },
    ]);
    expect(metricsOfOutput({ ...update, adopted: true })[0]?.name).toBe('UpdatesAdopted');
    expect(metricsOfOutput({ ...update, polls: 3 })).toEqual([]);
  });

  it("gives a finished update's duration and checks, a failure's EKS error code, skips and deferrals", () => {
    const ended = {
      ...update,
      status: 'Successful' as const,
      polls: 14,
      startedAt: '2026-11-25T02:00:00.000Z',
      finishedAt: '2026-11-25T02:31:00.000Z',
    };
    expect(metricsOfOutput(ended)).toEqual([
      { name: 'UpdateSeconds', unit: 'Seconds', value: 1860, dimensions: { Kind: 'nodegroup' } },
      { name: 'ChecksPerUpdate', unit: 'Count', value: 14, dimensions: { Kind: 'nodegroup' } },
    ]);
    const failed = {
      ...update,
      status: 'Failed' as const,
      failure: { error: 'PodEvictionFailure', cause: '' },
    };
    expect(metricsOfOutput(failed)[0]).toMatchObject({
      name: 'UpdatesFailed',
      dimensions: { Kind: 'nodegroup', ErrorCode: 'PodEvictionFailure' },
    });
    expect(metricsOfOutput({ ...update, status: 'Skipped' })[0]?.name).toBe('UpdatesSkipped');
    expect(metricsOfOutput({ ...update, status: 'Deferred' })[0]?.name).toBe('RollsDeferred');
    expect(
      metricsOfOutput({ ...ended, kind: 'controlPlane', rollback: true }).map((point) => point.name),
    ).toContain('Rollbacks');
    expect(metricsOfOutput({ plan: true })).toEqual([]);
  });

  it('counts a rollingUpdate roll once, when the group has its own settings back, and not its settings updates', () => {
    const settings = { own: { maxUnavailable: 1 }, wanted: { maxUnavailable: 3 } };
    expect(metricsOfOutput({ ...update, rollingSettings: { phase: 'apply', ...settings } })).toEqual([]);
    expect(
      metricsOfOutput({ ...update, status: 'Successful', rollingSettings: { phase: 'roll', ...settings } }),
    ).toEqual([]);
    expect(
      metricsOfOutput({ ...update, status: 'Failed', rollingSettings: { phase: 'restored', ...settings } })[0]
        ?.name,
    ).toBe('UpdatesFailed');
  });
});

describe('metricsOfError', () => {
  it('tells faults from decisions and from the "not yet" the state machine waits out', () => {
    expect(metricsOfError(new UnexpectedResponseError('no status'))[0]?.name).toBe('StepErrors');
    expect(metricsOfError(new TypeError('bug'))[0]?.name).toBe('StepErrors');
    expect(metricsOfError(new InvalidInputError('bad'))[0]).toMatchObject({
      name: 'StepRefusals',
      dimensions: { ErrorName: 'InvalidInputError' },
    });
    expect(metricsOfError(new InsightsRefreshPendingError('refreshing'))[0]?.name).toBe('StepWaits');
    // A stage that reports its failed node groups by name decided so; the roll's failure is counted as UpdatesFailed.
    expect(metricsOfError(new StageFailedError('PodEvictionFailure', 'ng-1 failed'))[0]).toMatchObject({
      name: 'StepRefusals',
      dimensions: { ErrorName: 'PodEvictionFailure' },
    });
  });
});

describe('publishMetrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes CloudWatch EMF: one document per dimensioned metric, the rest together, nothing when none', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: 'EksUpgrade', serviceName: 'eks-upgrade' });
    publishMetrics([], metrics);
    expect(written).toEqual([]);
    publishMetrics(
      [
        { name: 'UpdateSeconds', unit: 'Seconds', value: 1860, dimensions: { Kind: 'nodegroup' } },
        { name: 'StepErrors', unit: 'Count', value: 1, dimensions: {} },
      ],
      metrics,
    );
    const documents = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents).toHaveLength(2);
    const [duration, errors] = documents;
    expect(duration).toMatchObject({ UpdateSeconds: 1860, Kind: 'nodegroup', service: 'eks-upgrade' });
    expect(errors).toMatchObject({ StepErrors: 1, service: 'eks-upgrade' });
    expect(JSON.stringify(errors)).toContain('"Namespace":"EksUpgrade"');
  });
});
