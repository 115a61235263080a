import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../local/simulator/index.ts';
import { clusterState, mutatingCalls, runWorkflow, seedInput } from './helpers.ts';

/** What the seed upgrade changes, in order: the control plane, kube-proxy (1.18 builds do not run on 1.19), the nodes. */
const seedUpdates = ['UpdateClusterVersion', 'UpdateAddon', 'UpdateNodegroupVersion'];

describe('upgrade-cluster workflow on the simulator', () => {
  it('upgrades the seed cluster: control plane first, then every node of the node group', async () => {
    await runWorkflow({}, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const cluster = clusterState(aws);
      expect(cluster.version).toBe('1.19');
      const [nodegroup] = cluster.nodegroups;
      expect(nodegroup).toMatchObject({ version: '1.19', status: 'ACTIVE', instancesReplaced: 3 });
      expect(nodegroup?.instances).toHaveLength(3);
      for (const instance of nodegroup?.instances ?? []) {
        expect(instance.launchTemplateVersion).toBe(nodegroup?.launchTemplateVersion);
      }

      const controlPlane = cluster.updates.find((update) => !update.nodegroupName && !update.addonName);
      const addon = cluster.updates.find((update) => update.addonName === 'kube-proxy');
      const nodegroupUpdate = cluster.updates.find((update) => update.nodegroupName);
      expect([controlPlane?.status, addon?.status, nodegroupUpdate?.status]).toEqual([
        'Successful',
        'Successful',
        'Successful',
      ]);
      // Control plane first, then the add-on it made incompatible, then the nodes.
      expect(controlPlane?.endedAt).toBeLessThanOrEqual(addon?.createdAt ?? 0);
      expect(addon?.endedAt).toBeLessThanOrEqual(nodegroupUpdate?.createdAt ?? 0);
      expect(mutatingCalls(aws).map((call) => call.operation)).toEqual(seedUpdates);

      const subjects = aws.simulator.snapshot().published.map((message) => message.subject);
      expect(subjects).toEqual([
        'EKS ekscluster-eksctl 1.18 -> 1.19: upgrade started',
        'EKS ekscluster-eksctl 1.18 -> 1.19: upgrade succeeded',
      ]);
      // The success message a person reads: where the cluster is, and each update with its ID and duration.
      const success = aws.simulator.snapshot().published.at(-1)?.message ?? '';
      expect(success).toContain('Cluster ekscluster-eksctl is on Kubernetes 1.19 (from 1.18).');
      // Each duration as the run saw it: AWS's own, plus at most the polling schedule's detection latency.
      const reported = (line: string) =>
        Number(success.match(new RegExp(`${line} Successful in (\\d+) min`))?.[1]);
      for (const [line, update] of [
        [`- control plane -> 1.19: update ${controlPlane?.id}`, controlPlane],
        [`- node group managednodegroup -> 1.19: update ${nodegroupUpdate?.id}`, nodegroupUpdate],
      ] as const) {
        const awsMinutes = ((update?.endedAt ?? 0) - (update?.createdAt ?? 0)) / 60_000;
        expect(reported(line)).toBeGreaterThanOrEqual(Math.round(awsMinutes));
        expect(reported(line)).toBeLessThanOrEqual(Math.round(awsMinutes * 1.1 + 0.5));
      }
    });
  });

  it('makes no mutating call in a dry run and returns the plan', async () => {
    await runWorkflow({ input: { ...seedInput, dryRun: true } }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.output).toMatchObject({ stages: [{ controlPlane: { from: '1.18', to: '1.19' } }] });
      expect(mutatingCalls(aws)).toEqual([]);
      expect(aws.simulator.requestLog.some((request) => request.service === 'sns')).toBe(false);
      expect(clusterState(aws).version).toBe('1.18');
    });
  });

  it('refuses bad input with a named error before any change', async () => {
    await runWorkflow(
      { input: { clusterName: 'ekscluster-eksctl', targetVersion: '1.17' } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'DowngradeRefusedError' });
        expect(execution.cause).toContain('cannot downgrade');
        // The Fail state and the message say the reason in plain words, not a Lambda's JSON.
        expect(execution.cause).not.toContain('errorMessage');
        expect(mutatingCalls(aws)).toEqual([]);
        const published = aws.simulator.snapshot().published;
        expect(published.map((message) => message.subject)).toEqual([
          'EKS ekscluster-eksctl upgrade refused before any change',
        ]);
        expect(published[0]?.message).toMatch(/^DowngradeRefusedError: .*cannot downgrade/);
        expect(published[0]?.message).not.toContain('errorType');
      },
    );
    await runWorkflow(
      { input: { clusterName: 'no-such-cluster', targetVersion: '1.19' } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'ClusterNotFoundError' });
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  // `null` is left out: the local engine cannot evaluate `$` on a null input at all.
  it.each([
    ['an array', []],
    ['a string', 'x'],
  ])('refuses %s as execution input with InvalidInputError, not an engine error', async (_, input) => {
    await runWorkflow({ input }, ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
      expect(execution.cause).toContain('Nothing was changed');
      expect(mutatingCalls(aws)).toEqual([]);
      expect(aws.simulator.snapshot().published).toHaveLength(1);
    });
  });

  it('refuses a node group named twice before any change', async () => {
    await runWorkflow(
      { input: { ...seedInput, nodegroups: ['managednodegroup', 'managednodegroup'] } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
        expect(execution.cause).toContain('nodegroups must not name a node group twice');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it('says that a target equal to the current version is an AMI refresh', async () => {
    await runWorkflow(
      { input: { clusterName: 'ekscluster-eksctl', targetVersion: '1.18', dryRun: true } },
      ({ execution }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(execution.output).toMatchObject({
          notes: expect.arrayContaining([expect.stringContaining('this run is an AMI refresh')]),
        });
      },
    );
  });

  it('fails with PodEvictionFailure naming the node group when a budget blocks eviction', async () => {
    await runWorkflow({ fault: 'pdb-blocked' }, ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'PodEvictionFailure' });
      expect(execution.cause).toContain('Node group managednodegroup');
      expect(execution.cause).toContain('"force": true');
      // The control plane finished; the node group stays on the old version, ready for a rerun.
      const cluster = clusterState(aws);
      expect(cluster.version).toBe('1.19');
      expect(cluster.nodegroups[0]?.version).toBe('1.18');
      expect(aws.simulator.snapshot().published.at(-1)?.subject).toContain('upgrade FAILED');
    });
  });

  it('evicts past the budget and completes with force', async () => {
    await runWorkflow(
      { fault: 'pdb-blocked', input: { ...seedInput, force: true } },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(clusterState(aws).nodegroups[0]?.version).toBe('1.19');
        const request = mutatingCalls(aws).find((call) => call.operation === 'UpdateNodegroupVersion');
        expect(request?.params).toMatchObject({ force: true });
      },
    );
  });

  it('fails with NodeCreationFailure when new nodes cannot join', async () => {
    await runWorkflow({ fault: 'node-creation-failure' }, ({ execution }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'NodeCreationFailure' });
      expect(execution.cause).toContain('IAM role');
    });
  });

  for (const fault of ['throttling', 'server-errors'] as const) {
    it(`survives a burst of ${fault} from EKS`, async () => {
      await runWorkflow({ fault }, ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(
          aws.simulator.requestLog.filter((request) => request.status >= 429).length,
        ).toBeGreaterThanOrEqual(4);
        // Retries never start a second update: one per planned step.
        expect(
          mutatingCalls(aws)
            .filter((call) => call.status === 200)
            .map((call) => call.operation),
        ).toEqual(seedUpdates);
        expect(clusterState(aws).updates).toHaveLength(seedUpdates.length);
      });
    });
  }

  it('adopts a control plane update someone else already started, without starting another', async () => {
    await runWorkflow({ fault: 'update-in-progress' }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const controlPlaneUpdates = clusterState(aws).updates.filter(
        (update) => !update.nodegroupName && !update.addonName,
      );
      expect(controlPlaneUpdates).toHaveLength(1);
      expect(controlPlaneUpdates[0]?.startedBy).toBe('fault');
      const adopted = execution.tasks.find(
        (task) => task.state === 'Update Control Plane' && task.output,
      )?.output;
      expect(adopted).toMatchObject({ adopted: true, updateId: controlPlaneUpdates[0]?.id });
    });
  });

  it('fails, naming the cancelled update, when the cluster is deleted mid-run', async () => {
    await runWorkflow({ fault: 'cluster-deleted' }, ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'UpdateCancelled' });
      expect(execution.cause).toContain('Control plane of cluster ekscluster-eksctl');
      // No rerun can continue it: the advice says so instead of "run again".
      expect(execution.cause).toContain(
        'Cluster ekscluster-eksctl is being deleted: no run can finish this upgrade',
      );
      expect(execution.cause).not.toContain('run again');
      expect(mutatingCalls(aws).filter((call) => call.operation === 'UpdateNodegroupVersion')).toEqual([]);
    });
  });
});

describe('Amazon Linux 2 past 1.32', () => {
  it('refuses before any change, naming the AL2 node group and the highest version it can reach', async () => {
    await runWorkflow(
      { scenario: 'ami-refresh', input: { clusterName: 'refresh-cluster', targetVersion: '1.33' } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'UnsupportedTargetError' });
        expect(execution.cause).toContain(
          'Node group legacy-al2 (AL2_x86_64) cannot go past Kubernetes 1.32',
        );
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });
});

describe('a subset of node groups', () => {
  it('refuses a target the node groups left out cannot follow, before any change', async () => {
    await runWorkflow(
      {
        scenario: 'multi-hop',
        input: { clusterName: 'legacy-cluster', targetVersion: '1.30', nodegroups: ['ng-124'] },
      },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'UnsupportedTargetError' });
        expect(execution.cause).toContain('Node groups ng-124-al2023 (1.24), ng-123 (1.23) are not in');
        expect(execution.cause).toContain('the highest target is 1.25');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it('moves the control plane as far as the node groups left out allow', async () => {
    await runWorkflow(
      {
        scenario: 'multi-hop',
        input: {
          clusterName: 'legacy-cluster',
          targetVersion: '1.25',
          nodegroups: ['ng-124', 'ng-124-al2023'],
        },
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const cluster = clusterState(aws, 'legacy-cluster');
        expect(cluster.version).toBe('1.25');
        // Two minors behind a 1.25 control plane: as far as a 1.23 kubelet may lag.
        expect(cluster.nodegroups.find((nodegroup) => nodegroup.name === 'ng-123')?.version).toBe('1.23');
        expect(cluster.nodegroups.find((nodegroup) => nodegroup.name === 'ng-124')?.version).toBe('1.25');
      },
    );
  });
});

describe('AMI refresh of a node group held back on purpose', () => {
  it('refreshes it on its own minor instead of moving it to the control plane version', async () => {
    const scenario = loadScenario('ami-refresh');
    const apps = scenario.clusters[0]?.nodegroups.find((nodegroup) => nodegroup.name === 'apps');
    if (!apps) throw new Error('the ami-refresh scenario has no apps node group');
    Object.assign(apps, { version: '1.31', releaseVersion: '1.31.0-20241011' });
    await runWorkflow({ scenario, input: { clusterName: 'refresh-cluster' } }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const held = clusterState(aws, 'refresh-cluster').nodegroups.find(
        (nodegroup) => nodegroup.name === 'apps',
      );
      expect(held).toMatchObject({ version: '1.31', releaseVersion: '1.31.13-20251108' });
    });
  });
});

describe('a pinned AMI release', () => {
  it('ends the node group on the pinned release when AWS published it', async () => {
    await runWorkflow(
      { input: { ...seedInput, releaseVersion: '1.19.6-20210628' } },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(clusterState(aws).nodegroups[0]).toMatchObject({
          version: '1.19',
          releaseVersion: '1.19.6-20210628',
        });
      },
    );
  });

  it('is refused before any change when AWS never published it for the AMI type', async () => {
    await runWorkflow(
      { input: { ...seedInput, releaseVersion: '1.19.6-20210701' } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
        expect(execution.cause).toContain('not a published AL2_x86_64 release of Kubernetes 1.19');
        expect(execution.cause).toContain('managednodegroup');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });
});

describe('insights before each hop', () => {
  it('refreshes them before the gate, so a problem that appeared during the run stops the next hop', async () => {
    const scenario = loadScenario('insight-blocked');
    const deprecated = scenario.clusters[0]?.insights.find(
      (insight) => insight.kubernetesVersion === '1.29' && insight.status === 'ERROR',
    );
    if (!deprecated) throw new Error('insight-blocked has no 1.29 ERROR insight');
    // Clean when the run plans; the deprecated API comes into use ten minutes into the first hop.
    Object.assign(deprecated, { status: 'PASSING', changes: [{ atSecond: 600, status: 'ERROR' }] });
    await runWorkflow(
      { scenario, input: { clusterName: 'blocked-cluster', targetVersion: '1.29' } },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'InsightsBlockUpgradeError' });
        expect(clusterState(aws, 'blocked-cluster').version).toBe('1.28');
        const refreshes = aws.simulator.requestLog.filter(
          (request) => request.operation === 'StartInsightsRefresh',
        );
        expect(refreshes).toHaveLength(2);
      },
    );
  });
});
