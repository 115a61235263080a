import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeWave } from '../../../functions/close-wave/close-wave.ts';
import { waveGate } from '../../../functions/wave-gate/wave-gate.ts';

const sfnMock = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:eks-upgrade-upgrade-cluster';
const deps = { sfn: new SFNClient({ region: 'us-east-1' }), stateMachineArn };
const gate = (maxFailures: number | null) =>
  waveGate(
    {
      clusterName: 'prod-c',
      wave: 'prod',
      executionNames: ['prod-a-w', 'prod-b-w', 'prod-c-w'],
      maxFailures,
    },
    deps,
  );

describe('waveGate', () => {
  beforeEach(() => {
    sfnMock.reset();
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    sfnMock.on(ListExecutionsCommand, { statusFilter: 'FAILED' }).resolves({
      executions: [
        {
          name: 'prod-a-w',
          executionArn: `${stateMachineArn}:prod-a-w`,
          stateMachineArn,
          status: 'FAILED',
          startDate: new Date(),
        },
        {
          name: 'other-w',
          executionArn: `${stateMachineArn}:other-w`,
          stateMachineArn,
          status: 'FAILED',
          startDate: new Date(),
        },
        {
          name: 'prod-b-w',
          executionArn: `${stateMachineArn}:prod-b-w`,
          stateMachineArn,
          status: 'FAILED',
          startDate: new Date(),
        },
      ],
    });
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: `${stateMachineArn}:prod-a-w` })
      .resolves({ error: 'UpgradeRolledBackError' });
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: `${stateMachineArn}:prod-b-w` })
      .resolves({ error: 'ClusterBusyError' });
  });

  it("counts the wave's failed and rolled-back clusters (not busy ones, not other waves') against its tolerance", async () => {
    expect(await gate(1)).toEqual({ start: true });
    expect(await gate(0)).toEqual({
      start: false,
      reason:
        'Not started: wave prod tolerates 0 failed clusters, and prod-a-w (UpgradeRolledBackError) failed or rolled back.',
    });
    expect(sfnMock).not.toHaveReceivedCommandWith(DescribeExecutionCommand, {
      executionArn: `${stateMachineArn}:other-w`,
    });
  });

  it('never holds a fleet without waves back, and asks nothing', async () => {
    sfnMock.reset();
    expect(await gate(null)).toEqual({ start: true });
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('closeWave', () => {
  const dev = {
    name: 'dev',
    items: [{ clusterName: 'dev-1', executionName: 'dev-1-w' }],
    maxFailures: 5,
    soakSeconds: 0,
  };
  const waves = [
    {
      name: 'dev',
      items: [{ clusterName: 'dev-1', executionName: 'dev-1-w' }],
      maxFailures: 0,
      soakSeconds: 1800,
    },
    {
      name: 'prod',
      items: [{ clusterName: 'prod-a', executionName: 'prod-a-w' }],
      maxFailures: 0,
      soakSeconds: 0,
    },
  ];
  const upgraded = {
    clusterName: 'dev-1',
    executionName: 'dev-1-w',
    status: 'SUCCEEDED',
    outcome: 'UPGRADED',
  };

  it('soaks after a wave that passed, and ends after the last', () => {
    expect(closeWave({ waves, waveIndex: 0, results: [], waveResults: [upgraded] })).toEqual({
      waveIndex: 1,
      results: [{ ...upgraded, wave: 'dev' }],
      done: false,
      soakSeconds: 1800,
    });
    const last = closeWave({ waves, waveIndex: 1, results: [], waveResults: [] });
    expect(last).toMatchObject({ done: true, soakSeconds: 0 });
  });

  it('holds every later wave back after a failure, recording why', () => {
    const failed = {
      ...upgraded,
      status: 'FAILED',
      failure: { Error: 'UpgradeRolledBackError', Cause: 'gate' },
    };
    const progress = closeWave({ waves, waveIndex: 0, results: [], waveResults: [failed] });
    expect(progress.done).toBe(true);
    expect(progress.results.at(-1)).toEqual({
      clusterName: 'prod-a',
      executionName: 'prod-a-w',
      status: 'NOT_STARTED',
      wave: 'prod',
      note: 'Not started: wave dev ended with dev-1 failed or rolled back, so later waves were held back.',
    });
  });

  it('holds later waves back while a cluster is not upgraded yet (deferred, busy), though none failed', () => {
    const deferred = { ...upgraded, outcome: 'DEFERRED' };
    const busy = {
      ...upgraded,
      status: 'FAILED',
      failure: { Error: 'ClusterBusyError', Cause: 'another run' },
    };
    for (const result of [deferred, busy]) {
      const progress = closeWave({
        waves: [dev, ...waves.slice(1)],
        waveIndex: 0,
        results: [],
        waveResults: [result],
      });
      expect(progress.done).toBe(true);
      expect(progress.results.at(-1)?.note).toContain('dev-1 not upgraded (deferred, busy or held back)');
    }
  });
});
