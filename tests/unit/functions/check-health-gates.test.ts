import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeInsightsRefreshCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListAddonsCommand,
  ListInsightsCommand,
  ListUpdatesCommand,
  StartInsightsRefreshCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckHealthGatesEvent,
  checkHealthGates,
} from '../../../functions/check-health-gates/check-health-gates.ts';
import type { GateState } from '../../../functions/shared/types.ts';

const eksMock = mockClient(EKSClient);
const cloudWatchMock = mockClient(CloudWatchClient);
let clock = Date.parse('2026-11-25T03:00:00Z');
const deps = {
  eks: new EKSClient({ region: 'us-east-1' }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
  now: () => new Date(clock),
};

const event = (previous: GateState | null, alarms = ['checkout-5xx']): CheckHealthGatesEvent => ({
  clusterName: 'prod',
  bake: { minutes: 60, alarms, failOnHealthIssues: true, onGateFailure: 'rollback', knownIssues: [] },
  hop: { from: '1.30', to: '1.31' },
  hopFinishedAt: '2026-11-25T02:50:00.000Z',
  previous: previous ?? { status: 'NotStarted' },
});

function alarm(StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', StateReason = `now ${StateValue}`) {
  cloudWatchMock.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [{ AlarmName: 'checkout-5xx', StateValue, StateReason }],
  });
}

describe('checkHealthGates', () => {
  beforeEach(() => {
    eksMock.reset();
    cloudWatchMock.reset();
    clock = Date.parse('2026-11-25T03:00:00Z');
    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', version: '1.31', health: { issues: [] } } });
    eksMock.on(ListAddonsCommand).resolves({ addons: ['vpc-cni'] });
    eksMock.on(DescribeAddonCommand).resolves({ addon: { addonName: 'vpc-cni', health: { issues: [] } } });
    eksMock.on(StartInsightsRefreshCommand).resolves({});
    eksMock.on(DescribeInsightsRefreshCommand).resolves({ status: 'COMPLETED' });
    eksMock.on(ListInsightsCommand).resolves({ insights: [] });
    alarm('OK');
  });

  it('bakes from its first look for the minutes asked, then passes; the rollback window counts from the hop', async () => {
    const first = await checkHealthGates(event(null), deps);
    expect(first).toMatchObject({
      status: 'Baking',
      checks: 1,
      bakeUntil: '2026-11-25T04:00:00.000Z',
      rollbackPossibleUntil: '2026-12-02T02:50:00.000Z',
      insightsRefreshStartedAt: '2026-11-25T03:00:00.000Z',
      rollbackBlockers: [],
      nextWaitSeconds: 180,
    });
    expect(cloudWatchMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['checkout-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(eksMock).toHaveReceivedCommandTimes(StartInsightsRefreshCommand, 1);
    clock = Date.parse('2026-11-25T03:59:00Z');
    const late = await checkHealthGates(event(first), deps);
    expect(late).toMatchObject({ status: 'Baking', nextWaitSeconds: 60 });
    clock = Date.parse('2026-11-25T04:00:00Z');
    expect(await checkHealthGates(event(late), deps)).toMatchObject({ status: 'Passed', checks: 3 });
    expect(eksMock).toHaveReceivedCommandTimes(StartInsightsRefreshCommand, 1);
  });

  it('fails on an alarm in ALARM, naming it and what it saw; INSUFFICIENT_DATA is only reported', async () => {
    alarm('INSUFFICIENT_DATA');
    const first = await checkHealthGates(event(null), deps);
    expect(first.status).toBe('Baking');
    expect(first.warnings).toEqual(['alarm checkout-5xx has INSUFFICIENT_DATA (not failed)']);
    clock += 20 * 60_000;
    alarm('ALARM', 'Threshold Crossed: 57 > 10');
    const failed = await checkHealthGates(event(first), deps);
    expect(failed).toMatchObject({
      status: 'Failed',
      nextWaitSeconds: 0,
      failure: {
        error: 'HealthGateFailedError',
        gate: 'alarm checkout-5xx',
        cause: expect.stringContaining(
          "20 min into the 60-minute bake (30 min after the control plane's hop 1.30 -> 1.31) on cluster prod: alarm checkout-5xx: Threshold Crossed: 57 > 10.",
        ),
      },
    });
  });

  it('fails on an alarm that no longer exists, and on health issues unless failOnHealthIssues is off', async () => {
    cloudWatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect((await checkHealthGates(event(null), deps)).failure?.gate).toBe('alarm checkout-5xx');

    eksMock.on(DescribeAddonCommand).resolves({
      addon: {
        addonName: 'vpc-cni',
        health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: '0 of 2 ready' }] },
      },
    });
    const unhealthy = await checkHealthGates(event(null, []), deps);
    expect(unhealthy.failure).toMatchObject({
      gate: 'add-on vpc-cni health',
      cause: expect.stringContaining('InsufficientNumberOfReplicas: 0 of 2 ready'),
    });
    const lenient = await checkHealthGates(
      {
        ...event(null, []),
        bake: { minutes: 60, alarms: [], failOnHealthIssues: false, onGateFailure: 'stop', knownIssues: [] },
      },
      deps,
    );
    expect(lenient.status).toBe('Baking');
    expect(lenient.warnings[0]).toContain('not failed: failOnHealthIssues is off');
  });

  it("counts the rollback window from the hop's update start when this run found the hop done", async () => {
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['u-1'] });
    eksMock.on(DescribeUpdateCommand).resolves({
      update: {
        id: 'u-1',
        type: 'VersionUpdate',
        status: 'Successful',
        createdAt: new Date('2026-11-24T01:00:00Z'),
        params: [{ type: 'Version', value: '1.31' }],
      },
    });
    const state = await checkHealthGates({ ...event(null), hopFinishedAt: null }, deps);
    expect(state.rollbackPossibleUntil).toBe('2026-12-01T01:00:00.000Z');
  });

  it('only reports a health issue that was there before the upgrade (the plan recorded it)', async () => {
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'prod',
        health: { issues: [{ code: 'Ec2SubnetNotFound', message: 'subnet-1 is gone' }] },
      },
    });
    const known = {
      ...event(null, []),
      bake: { ...event(null, []).bake, knownIssues: ['cluster:Ec2SubnetNotFound'] },
    };
    const state = await checkHealthGates(known, deps);
    expect(state.status).toBe('Baking');
    expect(state.warnings).toEqual([
      'cluster prod health: Ec2SubnetNotFound: subnet-1 is gone (there before the upgrade; not failed)',
    ]);
    expect((await checkHealthGates(event(null, []), deps)).failure?.gate).toBe('cluster prod health');
  });

  it('reads the refreshed insights once: rollback blockers, and errors for the next hop as warnings', async () => {
    eksMock.on(DescribeInsightsRefreshCommand).resolves({ status: 'IN_PROGRESS' });
    const first = await checkHealthGates(event(null, []), deps);
    expect(first.rollbackBlockers).toBeNull();
    eksMock.on(DescribeInsightsRefreshCommand).resolves({ status: 'COMPLETED' });
    eksMock.on(ListInsightsCommand).resolves({
      insights: [
        {
          name: 'Kubelet version for rollback',
          category: 'ROLLBACK_READINESS',
          kubernetesVersion: '1.30',
          insightStatus: { status: 'ERROR', reason: 'ng-a runs v1.31' },
        },
        {
          name: 'Deprecated APIs removed in Kubernetes v1.32',
          category: 'UPGRADE_READINESS',
          kubernetesVersion: '1.32',
          insightStatus: { status: 'ERROR', reason: 'flowcontrol v1beta3 in use' },
        },
      ],
    });
    const read = await checkHealthGates(event(first, []), deps);
    expect(read.rollbackBlockers).toEqual(['Kubelet version for rollback: ng-a runs v1.31']);
    expect(read.warnings).toEqual([
      'insight for the next hop to 1.32: Deprecated APIs removed in Kubernetes v1.32: flowcontrol v1beta3 in use',
    ]);
    await checkHealthGates(event(read, []), deps);
    expect(eksMock).toHaveReceivedCommandTimes(ListInsightsCommand, 1);
  });
});
