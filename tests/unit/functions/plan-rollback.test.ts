import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PlanRollbackEvent, planRollback } from '../../../functions/plan-rollback/plan-rollback.ts';
import type { GateState } from '../../../functions/shared/types.ts';

const eksMock = mockClient(EKSClient);
const deps = { eks: new EKSClient({ region: 'us-east-1' }), now: () => new Date('2026-11-25T04:00:00Z') };

const gate: GateState = {
  status: 'Failed',
  hop: { from: '1.33', to: '1.34' },
  hopFinishedAt: '2026-11-25T02:30:00.000Z',
  rollbackPossibleUntil: '2026-12-02T02:30:00.000Z',
  bakeUntil: '2026-11-25T04:30:00.000Z',
  nextWaitSeconds: 0,
  checks: 12,
  insightsRefreshStartedAt: '2026-11-25T02:35:00.000Z',
  rollbackBlockers: [],
  warnings: [],
  failure: {
    error: 'HealthGateFailedError',
    gate: 'alarm api-5xx',
    cause: 'Health gate failed: alarm api-5xx.',
  },
};

const event = (change: Partial<PlanRollbackEvent> = {}): PlanRollbackEvent => ({
  clusterName: 'prod',
  hop: { from: '1.33', to: '1.34' },
  gate,
  addonSteps: [
    { name: 'kube-proxy', from: 'v1.33.5-eksbuild.2', to: 'v1.34.1-eksbuild.2', clusterVersion: '1.34' },
    { name: 'vpc-cni', from: 'v1.19.2-eksbuild.5', to: 'v1.20.4-eksbuild.2', clusterVersion: '1.34' },
  ],
  ...change,
});

function offered(addonVersion: string, clusterVersion = '1.34') {
  return { addonVersion, compatibilities: [{ clusterVersion }] };
}

/** The add-ons as the cluster runs them now. */
function installed(versions: Record<string, string>) {
  eksMock.on(ListAddonsCommand).resolves({ addons: Object.keys(versions) });
  for (const [addonName, addonVersion] of Object.entries(versions)) {
    eksMock.on(DescribeAddonCommand, { addonName }).resolves({ addon: { addonName, addonVersion } });
  }
}

describe('planRollback', () => {
  beforeEach(() => {
    eksMock.reset();
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'prod',
        version: '1.34',
        status: 'ACTIVE',
        upgradePolicy: { supportType: 'EXTENDED' },
      },
    });
    eksMock.on(DescribeClusterVersionsCommand).resolves({
      clusterVersions: [{ clusterVersion: '1.33', versionStatus: 'STANDARD_SUPPORT' }],
    });
    eksMock.on(ListNodegroupsCommand).resolves({ nodegroups: ['apps'] });
    eksMock.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'apps', version: '1.33' } });
    installed({ 'kube-proxy': 'v1.34.1-eksbuild.2', 'vpc-cni': 'v1.20.4-eksbuild.2' });
    eksMock.on(DescribeAddonVersionsCommand, { addonName: 'kube-proxy' }).resolves({
      addons: [
        {
          addonName: 'kube-proxy',
          addonVersions: [offered('v1.33.5-eksbuild.2'), offered('v1.34.1-eksbuild.2')],
        },
      ],
    });
    eksMock.on(DescribeAddonVersionsCommand, { addonName: 'vpc-cni' }).resolves({
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: [offered('v1.19.2-eksbuild.5'), offered('v1.20.4-eksbuild.2')],
        },
      ],
    });
  });

  it("undoes the hop's add-on updates last first, then moves the control plane back", async () => {
    expect(await planRollback(event(), deps)).toEqual({
      controlPlane: { from: '1.34', to: '1.33' },
      addons: [
        {
          name: 'vpc-cni',
          from: 'v1.20.4-eksbuild.2',
          to: 'v1.19.2-eksbuild.5',
          clusterVersion: '1.34',
          rollback: true,
        },
        {
          name: 'kube-proxy',
          from: 'v1.34.1-eksbuild.2',
          to: 'v1.33.5-eksbuild.2',
          clusterVersion: '1.34',
          rollback: true,
        },
      ],
      untouched: expect.stringContaining('Not rolled back: node groups'),
      reason: 'Health gate failed: alarm api-5xx.',
      automatic: true,
    });
  });

  it('undoes the steps as far as each add-on went along them, whoever made them (a redrive finds them done)', async () => {
    installed({ 'kube-proxy': 'v1.33.5-eksbuild.2', 'vpc-cni': 'v1.20.4-eksbuild.2' });
    const plan = await planRollback(event(), deps);
    expect(plan.addons.map((step) => `${step.name} -> ${step.to}`)).toEqual([
      'vpc-cni -> v1.19.2-eksbuild.5',
    ]);
  });

  it('refuses before anything moves when an add-on off the path does not run on N-1', async () => {
    installed({
      'kube-proxy': 'v1.34.1-eksbuild.2',
      'vpc-cni': 'v1.20.4-eksbuild.2',
      coredns: 'v1.12.1-eksbuild.1',
    });
    eksMock.on(DescribeAddonVersionsCommand, { addonName: 'coredns' }).resolves({
      addons: [{ addonName: 'coredns', addonVersions: [offered('v1.11.4-eksbuild.24', '1.33')] }],
    });
    await expect(planRollback(event(), deps)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringContaining('add-on coredns v1.12.1-eksbuild.1 does not run on Kubernetes 1.33'),
    });
  });

  it("does not refuse over EKS's readiness finding about the add-ons it moves back first", async () => {
    const addonFinding = {
      ...gate,
      rollbackBlockers: ['Add-on version compatibility: kube-proxy v1.34.1 does not run on 1.33'],
    };
    await expect(planRollback(event({ gate: addonFinding }), deps)).resolves.toMatchObject({
      controlPlane: { from: '1.34', to: '1.33' },
    });
  });

  const refusals: Array<[string, () => void, Partial<PlanRollbackEvent>, RegExp]> = [
    [
      '7 days after the hop',
      () => {},
      { gate: { ...gate, rollbackPossibleUntil: '2026-11-25T03:00:00.000Z' } },
      /within 7 days/,
    ],
    [
      'a control plane moved outside the run',
      () => eksMock.on(DescribeClusterCommand).resolves({ cluster: { version: '1.35', status: 'ACTIVE' } }),
      {},
      /on 1.35, moved outside this run/,
    ],
    [
      'N-1 out of support',
      () =>
        eksMock
          .on(DescribeClusterVersionsCommand)
          .resolves({ clusterVersions: [{ clusterVersion: '1.33', versionStatus: 'UNSUPPORTED' }] }),
      {},
      /1.33 is no longer supported/,
    ],
    [
      'N-1 in extended support with the STANDARD policy',
      () => {
        eksMock
          .on(DescribeClusterVersionsCommand)
          .resolves({ clusterVersions: [{ clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT' }] });
        eksMock.on(DescribeClusterCommand).resolves({
          cluster: { version: '1.34', status: 'ACTIVE', upgradePolicy: { supportType: 'STANDARD' } },
        });
      },
      {},
      /extended support and the cluster's upgrade policy is STANDARD/,
    ],
    [
      'a kubelet already on N',
      () =>
        eksMock
          .on(DescribeNodegroupCommand)
          .resolves({ nodegroup: { nodegroupName: 'apps', version: '1.34' } }),
      {},
      /node groups apps already run kubelet 1.34/,
    ],
    [
      'readiness insights that block',
      () => {},
      { gate: { ...gate, rollbackBlockers: ['Kubelet version for rollback: hybrid node runs v1.34'] } },
      /rollback readiness insights report Kubelet version for rollback/,
    ],
    [
      'an add-on version EKS no longer offers on N',
      () =>
        eksMock.on(DescribeAddonVersionsCommand, { addonName: 'kube-proxy' }).resolves({
          addons: [{ addonName: 'kube-proxy', addonVersions: [offered('v1.34.1-eksbuild.2')] }],
        }),
      {},
      /kube-proxy cannot go back to v1.33.5-eksbuild.2/,
    ],
  ];

  it.each(refusals)('refuses, naming the rule: %s', async (_rule, arrange, change, message) => {
    arrange();
    await expect(planRollback(event(change), deps)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringMatching(message),
    });
    const error = await planRollback(event(change), deps).catch((caught: Error) => caught);
    expect((error as Error).message).toContain('Health gate failed: alarm api-5xx.');
    expect((error as Error).message).toContain('The cluster stays on 1.34');
  });
});
