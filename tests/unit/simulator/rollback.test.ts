import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

// EKS's control-plane rollback (EKS-FACTS 7.1): UpdateClusterVersion to the previous minor.

let rig: TestRig;
const name = 'ekscluster-eksctl';

afterEach(async () => {
  await rig.close();
});

/** The seed cluster in mid-2021, while 1.18 is still supported (a rollback to it is possible). */
function seedIn2021(change: (scenario: Scenario) => void = () => {}): Scenario {
  const scenario = loadScenario('seed');
  scenario.startTime = '2021-06-01T02:00:00Z';
  change(scenario);
  return scenario;
}

/** The scenario's one cluster, to change before the rig starts. */
function only(scenario: Scenario): Scenario['clusters'][number] {
  const [cluster] = scenario.clusters;
  if (!cluster) throw new Error('the seed scenario has a cluster');
  return cluster;
}

async function upgradeTo119(): Promise<void> {
  await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
  rig.advanceMinutes(25);
}

async function clusterVersion(): Promise<string | undefined> {
  const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name }));
  return cluster?.version;
}

describe('UpdateClusterVersion to the previous minor (a rollback)', () => {
  it('answers a VersionRollback update that returns the control plane to N-1, once', async () => {
    rig = await startRig({ scenario: seedIn2021() });
    await upgradeTo119();
    const { update } = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.18', rollbackConfig: { timeoutMinutes: 720 } }),
    );
    expect(update).toMatchObject({
      type: 'VersionRollback',
      status: 'InProgress',
      params: expect.arrayContaining([{ type: 'Version', value: '1.18' }]),
    });
    rig.advanceMinutes(25);
    const { update: ended } = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id }));
    expect(ended?.status).toBe('Successful');
    expect(await clusterVersion()).toBe('1.18');

    // Only N -> N-1, and not twice: the cluster is no longer on a version an upgrade brought it to.
    const again = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.17' })));
    expect(again.name).toBe('InvalidParameterException');
  });

  it('is refused for a cluster that was created at its version', async () => {
    rig = await startRig({ scenario: seedIn2021((s) => (only(s).version = '1.19')) });
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18' })));
    expect(error.name).toBe('InvalidStateException');
    expect(error.message).toMatch(/in-place upgrade/);
  });

  it('is possible for a cluster that reached its version by an upgrade before the scenario began', async () => {
    rig = await startRig({
      scenario: seedIn2021((s) => {
        only(s).version = '1.19';
        only(s).upgradedFrom = { endedAtSecond: -3600 };
      }),
    });
    const { update } = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18' }));
    expect(update?.type).toBe('VersionRollback');
  });

  it('is refused 7 days after the upgrade ended, force or not', async () => {
    rig = await startRig({ scenario: seedIn2021() });
    await upgradeTo119();
    rig.advanceMinutes(7 * 24 * 60 + 1);
    const error = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18', force: true })),
    );
    expect(error.name).toBe('InvalidStateException');
    expect(error.message).toMatch(/7 days/);
  });

  it('is refused to a version out of support, and to one in extended support without the EXTENDED policy', async () => {
    rig = await startRig(); // the seed's own date, 2026: 1.18 is long unsupported
    await upgradeTo119();
    const unsupported = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18', force: true })),
    );
    expect(unsupported.name).toBe('InvalidParameterException');
    await rig.close();

    rig = await startRig({
      scenario: seedIn2021((s) => {
        only(s).supportType = 'STANDARD';
        for (const v of s.kubernetesVersions.filter((candidate) => candidate.version === '1.18')) {
          v.endOfStandardSupport = '2021-05-01';
          v.endOfExtendedSupport = '2022-05-01';
        }
      }),
    });
    await upgradeTo119();
    const extended = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18' })),
    );
    expect(extended.name).toBe('InvalidStateException');
    expect(extended.message).toMatch(/extended support/);
  });

  it('is refused while a kubelet runs N, unless forced (a soft rule)', async () => {
    rig = await startRig({ scenario: seedIn2021() });
    await upgradeTo119();
    await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: name, nodegroupName: 'managednodegroup' }),
    );
    rig.advanceMinutes(120);
    const blocked = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18' })),
    );
    expect(blocked.name).toBe('InvalidStateException');
    expect(blocked.message).toMatch(/managednodegroup run kubelet v1.19/);
    const { update } = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.18', force: true }),
    );
    expect(update?.type).toBe('VersionRollback');
  });

  it('is refused while another update runs on the cluster', async () => {
    rig = await startRig({ scenario: seedIn2021() });
    await upgradeTo119();
    await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: name, nodegroupName: 'managednodegroup' }),
    );
    const busy = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.18', force: true })),
    );
    expect(busy.name).toBe('ResourceInUseException');
  });
});

describe('an alarm state timed from an upgrade', () => {
  it('enters ALARM the given minutes after the control plane reached the version', async () => {
    rig = await startRig({
      scenario: seedIn2021((s) => {
        s.alarms = [
          {
            name: 'checkout-5xx',
            namespace: 'AWS/ApplicationELB',
            metricName: 'HTTPCode_Target_5XX_Count',
            threshold: 10,
            states: [
              { atSecond: 0, value: 'OK' },
              { atSecond: 0, afterUpgrade: { cluster: name, version: '1.19', minutes: 20 }, value: 'ALARM' },
            ],
          },
        ];
      }),
    });
    const cloudWatch = new CloudWatchClient({
      endpoint: rig.simulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const state = async () =>
      (await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx'] }))).MetricAlarms?.[0]
        ?.StateValue;
    rig.advanceMinutes(60);
    expect(await state()).toBe('OK'); // no upgrade yet
    await upgradeTo119(); // ends 25 minutes after it began
    rig.advanceMinutes(19);
    expect(await state()).toBe('OK');
    rig.advanceMinutes(1);
    expect(await state()).toBe('ALARM');
    cloudWatch.destroy();
  });
});
