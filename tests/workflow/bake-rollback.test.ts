import { describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../local/simulator/index.ts';
import { withQuietAlarms } from '../../local/simulator/scenario.ts';
import { clusterState, mutatingCalls, runWorkflow } from './helpers.ts';

// The bake after each hop and its gates, through the real state machines and handlers, against the
// simulator: an alarm that fires 20 minutes after the hop, EKS's rollback and its rules.

const cluster = 'shop-cluster';
const scenario = loadScenario('bake-rollback');
const input = scenario.defaultInput ?? {};

function shop(aws: Parameters<typeof clusterState>[0]) {
  return clusterState(aws, cluster);
}

function scenarioWith(change: (copy: Scenario) => void): Scenario {
  const copy = structuredClone(scenario);
  change(copy);
  return copy;
}

describe('bake after a hop', () => {
  it('rolls the hop back when an alarm fires: add-ons first, then the control plane, node groups untouched', async () => {
    await runWorkflow({ scenario, input }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('UpgradeRolledBackError');
      expect(execution.cause).toContain('alarm checkout-5xx: Threshold Crossed');
      expect(execution.cause).toContain('Rolled back: control plane 1.31 -> 1.30 (VersionRollback update');
      expect(execution.cause).toContain('Not rolled back: node groups');

      const after = shop(aws);
      expect(after.version).toBe('1.30');
      expect(after.addons?.find((addon) => addon.name === 'vpc-cni')?.version).toBe('v1.17.1-eksbuild.1');
      for (const nodegroup of after.nodegroups) {
        expect(nodegroup).toMatchObject({
          version: '1.30',
          releaseVersion: '1.30.0-20240625',
          instancesReplaced: 0,
        });
      }
      // The order EKS needs: the hop, its add-ons, then (after the gate) the add-ons back, then the rollback.
      const kinds = after.updates.map(
        (update) => `${update.type}${update.addonName ? `:${update.addonName}` : ''}`,
      );
      expect(kinds).toEqual([
        'VersionUpdate',
        'AddonUpdate:vpc-cni',
        'AddonUpdate:vpc-cni',
        'AddonUpdate:vpc-cni',
        'AddonUpdate:vpc-cni',
        'VersionRollback',
      ]);
      expect(after.updates.every((update) => update.status === 'Successful')).toBe(true);
      const notice = aws.simulator.snapshot().published.at(-1);
      expect(notice?.subject).toContain('health gate failed, ROLLED BACK');
      expect(notice?.message).toContain('The upgrade was rolled back');
    });
  });

  it('with the alarm quiet, bakes the full hour and then rolls the node groups onto 1.31', async () => {
    await runWorkflow({ scenario: withQuietAlarms(scenario), input }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const after = shop(aws);
      expect(after.version).toBe('1.31');
      expect(after.nodegroups.map((nodegroup) => nodegroup.version)).toEqual(['1.31', '1.31']);
      const lastAddon = after.updates.filter((update) => update.addonName).at(-1);
      const firstRoll = after.updates.find((update) => update.nodegroupName);
      // No node group moved before the bake's 60 minutes had passed since the hop's add-ons.
      expect((firstRoll?.createdAt ?? 0) - (lastAddon?.endedAt ?? 0)).toBeGreaterThanOrEqual(60 * 60_000);
    });
  });

  it('stops where the hop left it when the input says stop: control plane on 1.31, node groups on 1.30', async () => {
    await runWorkflow({ scenario, input: { ...input, onGateFailure: 'stop' } }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('HealthGateFailedError');
      expect(execution.cause).toContain('alarm checkout-5xx');
      const after = shop(aws);
      expect(after.version).toBe('1.31');
      expect(after.nodegroups.map((nodegroup) => nodegroup.version)).toEqual(['1.30', '1.30']);
      expect(after.updates.some((update) => update.type === 'VersionRollback')).toBe(false);
    });
  });

  it('refuses the rollback before anything moves when EKS would: 1.30 in extended support, policy STANDARD', async () => {
    const extendedOnly = scenarioWith((copy) => {
      copy.startTime = '2025-08-01T02:00:00Z';
      for (const candidate of copy.clusters) candidate.supportType = 'STANDARD';
    });
    await runWorkflow({ scenario: extendedOnly, input }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RollbackRefusedError');
      expect(execution.cause).toContain('Kubernetes 1.30 is in extended support');
      const after = shop(aws);
      expect(after.version).toBe('1.31');
      // Nothing moved after the gate failed: the hop's add-on updates stand, no rollback was sent.
      expect(after.updates.filter((update) => update.addonName)).toHaveLength(2);
      expect(after.updates.some((update) => update.type === 'VersionRollback')).toBe(false);
    });
  });

  it("says what is back and what is not when the rollback stops half-way (EKS fails the control plane's)", async () => {
    const rollbackFails = scenarioWith((copy) => {
      copy.faults.push({
        type: 'update-fails',
        cluster,
        occurrence: 2, // the control plane's second update: the rollback
        afterMinutes: 5,
        status: 'Failed',
        errorCode: 'Unknown',
        errorMessage: 'The rollback could not be completed (simulated fault).',
      });
    });
    await runWorkflow({ scenario: rollbackFails, input }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RollbackIncompleteError');
      expect(execution.cause).toContain('alarm checkout-5xx');
      expect(execution.cause).toContain(
        'Now the control plane is still on 1.31; add-ons back: vpc-cni v1.17.1-eksbuild.1',
      );
      expect(shop(aws).version).toBe('1.31');
    });
  });

  it("makes the next run wait for a person's word after a gate failed, instead of rolling node groups on without a bake", async () => {
    const stop = { ...input, onGateFailure: 'stop' };
    await runWorkflow(
      { scenario, input: stop, options: { executionName: `${cluster}-first` } },
      async ({ execution, aws }) => {
        expect(execution.error).toBe('HealthGateFailedError');
        const changesBefore = mutatingCalls(aws).length;
        const second = await aws.execute(stop, { executionName: `${cluster}-second` });
        expect(second.error).toBe('EarlierGateFailureError');
        expect(second.cause).toContain(`execution ${cluster}-first) ended HealthGateFailedError`);
        expect(mutatingCalls(aws)).toHaveLength(changesBefore);
        // The alarm still fires: a bake watching it is refused before any change.
        const stillFiring = await aws.execute(
          { ...stop, acknowledgeGateFailure: true },
          { executionName: `${cluster}-third` },
        );
        expect(stillFiring.error).toBe('AlarmsAlreadyFiringError');
        expect(stillFiring.cause).toContain('in ALARM before the upgrade began');
        expect(mutatingCalls(aws)).toHaveLength(changesBefore);
        // A run refused before any change does not lift the hold: without the word, still refused.
        const unacknowledged = await aws.execute(
          { clusterName: cluster, targetVersion: '1.31' },
          { executionName: `${cluster}-fourth` },
        );
        expect(unacknowledged.error).toBe('EarlierGateFailureError');
        const acknowledged = await aws.execute(
          { clusterName: cluster, targetVersion: '1.31', acknowledgeGateFailure: true },
          { executionName: `${cluster}-fifth` },
        );
        expect(acknowledged.status).toBe('SUCCEEDED');
        expect(shop(aws).nodegroups.map((nodegroup) => nodegroup.version)).toEqual(['1.31', '1.31']);
      },
    );
  });

  it('refuses an alarm that does not exist before any change', async () => {
    const missing = { ...input, bake: { minutes: 60, alarms: ['checkout-5xx', 'no-such-alarm'] } };
    await runWorkflow({ scenario, input: missing }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('InvalidInputError');
      expect(execution.cause).toContain('no-such-alarm');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('plans the bake in a dry run and changes nothing', async () => {
    await runWorkflow({ scenario, input: { ...input, dryRun: true } }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      expect(JSON.stringify(execution.output)).toContain('bake 60 min watching alarms checkout-5xx');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });
});

describe('rollback by hand (eks-upgrade rollback)', () => {
  /** The shop cluster an hour after someone upgraded it to 1.31 with kube-proxy, node groups still on 1.30. */
  const upgradedAnHourAgo = (endedAtSecond = -3600) =>
    scenarioWith((copy) => {
      copy.alarms = [];
      for (const candidate of copy.clusters) {
        candidate.version = '1.31';
        candidate.platformVersion = 'eks.22';
        candidate.upgradedFrom = { endedAtSecond };
        for (const addon of candidate.addons)
          if (addon.name === 'kube-proxy') addon.version = 'v1.31.13-eksbuild.2';
      }
    });
  const rollbackInput = { clusterName: cluster, rollback: true };

  it('plans read-only in a dry run: the add-on EKS does not offer on 1.30 goes down first, then the control plane', async () => {
    await runWorkflow(
      { scenario: upgradedAnHourAgo(), input: { ...rollbackInput, dryRun: true } },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const summary = JSON.stringify(execution.output);
        expect(summary).toContain('Rollback of shop-cluster: control plane 1.31 -> 1.30');
        expect(summary).toContain('kube-proxy v1.31.13-eksbuild.2 -> v1.30.14-eksbuild.2');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it('moves the add-on down, rolls the control plane back and verifies it, node groups untouched', async () => {
    await runWorkflow({ scenario: upgradedAnHourAgo(), input: rollbackInput }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const after = shop(aws);
      expect(after.version).toBe('1.30');
      expect(after.addons?.find((addon) => addon.name === 'kube-proxy')?.version).toBe('v1.30.14-eksbuild.2');
      expect(after.nodegroups.every((nodegroup) => nodegroup.instancesReplaced === 0)).toBe(true);
      expect(after.updates.map((update) => update.type).slice(-2)).toEqual([
        'AddonUpdate',
        'VersionRollback',
      ]);
      expect(aws.simulator.snapshot().published.at(-1)?.subject).toContain('1.31 -> 1.30: rolled back');
    });
  });

  it('refuses, before any change, a rollback more than 7 days after the upgrade', async () => {
    await runWorkflow(
      { scenario: upgradedAnHourAgo(-8 * 24 * 3600), input: rollbackInput },
      ({ execution, aws }) => {
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('RollbackRefusedError');
        expect(execution.cause).toContain('within 7 days');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it('refuses, before any change, a cluster whose node groups already run the newer version', async () => {
    const nodesOnNew = scenarioWith((copy) => {
      copy.alarms = [];
      for (const candidate of copy.clusters) {
        candidate.version = '1.31';
        candidate.upgradedFrom = { endedAtSecond: -3600 };
        for (const nodegroup of candidate.nodegroups) {
          nodegroup.version = '1.31';
          nodegroup.releaseVersion = '1.31.13-20251108';
        }
      }
    });
    await runWorkflow({ scenario: nodesOnNew, input: rollbackInput }, ({ execution, aws }) => {
      expect(execution.error).toBe('RollbackRefusedError');
      expect(execution.cause).toContain('node groups system, checkout already run kubelet 1.31');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });
});
