import {
  DescribeNodegroupCommand,
  TagResourceCommand,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import type { LocalAws } from '../../local/harness/local-aws.ts';
import { clusterState, personsEks, runWorkflow, seedInput } from './helpers.ts';

// The input's rollingUpdate on the seed cluster's node group (3 nodes, EKS's default of one at a
// time): set before its roll with UpdateNodegroupConfig, the group's own settings put back after,
// even when the roll fails; the group's own kept in a tag while the run's are on.

const nodegroupName = 'managednodegroup';
const runSettings = { maxUnavailable: 3, updateStrategy: 'MINIMAL' } as const;
const ownSettings = { maxUnavailable: 1, updateStrategy: 'DEFAULT' };
const ownTag = 'eks-upgrade/own-update-config';

async function nodegroupNow(aws: LocalAws) {
  const { nodegroup } = await personsEks(aws).send(
    new DescribeNodegroupCommand({ clusterName: seedInput.clusterName, nodegroupName }),
  );
  return nodegroup;
}

/** What a run that stopped between its settings and the group's own leaves: the run's on, the own in the tag. */
async function leaveRunSettingsOn(aws: LocalAws): Promise<void> {
  const eks = personsEks(aws);
  const nodegroup = await nodegroupNow(aws);
  await eks.send(
    new TagResourceCommand({
      resourceArn: nodegroup?.nodegroupArn,
      tags: { [ownTag]: 'maxUnavailable=1 updateStrategy=DEFAULT' },
    }),
  );
  await eks.send(
    new UpdateNodegroupConfigCommand({
      clusterName: seedInput.clusterName,
      nodegroupName,
      updateConfig: runSettings,
    }),
  );
  await aws.advance(10 * 60);
}

/** The workflow's calls that change the node group, in order, with what they sent. */
function nodegroupChanges(aws: LocalAws) {
  return aws.simulator.requestLog
    .filter(
      (request) =>
        request.mutating && request.service === 'eks' && request.operation !== 'UpdateClusterVersion',
    )
    .filter((request) => request.operation !== 'UpdateAddon')
    .map((request) => ({
      operation: request.operation,
      at: request.at,
      updateConfig: request.params.updateConfig,
    }));
}

describe('rollingUpdate', () => {
  it("sets the run's settings before the roll and puts the group's own back after it ended", async () => {
    const estimateOf = (execution: { tasks: Array<{ state: string; output?: unknown }> }) => {
      const plan = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output;
      return (plan as { estimatedSeconds?: number } | undefined)?.estimatedSeconds ?? 0;
    };
    const unchanged = await runWorkflow({ input: { ...seedInput, dryRun: true } }, ({ execution }) =>
      estimateOf(execution),
    );
    const input = { ...seedInput, rollingUpdate: runSettings };
    await runWorkflow({ input }, async ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const changes = nodegroupChanges(aws);
      expect(changes.map((change) => change.operation)).toEqual([
        'TagResource',
        'UpdateNodegroupConfig',
        'UpdateNodegroupVersion',
        'UpdateNodegroupConfig',
        'UntagResource',
      ]);
      expect(changes[1]?.updateConfig).toEqual(runSettings);
      expect(changes[3]?.updateConfig).toEqual(ownSettings);
      // The group's settings come back only once EKS reports its roll over.
      const roll = clusterState(aws).updates.find(
        (update) => update.type === 'VersionUpdate' && update.nodegroupName,
      );
      expect(changes[3]?.at).toBeGreaterThanOrEqual(roll?.endedAt ?? Number.POSITIVE_INFINITY);
      const nodegroup = await nodegroupNow(aws);
      expect(nodegroup?.version).toBe('1.19');
      expect(nodegroup?.updateConfig).toMatchObject({ maxUnavailable: 1 });
      expect(nodegroup?.updateConfig?.updateStrategy ?? 'DEFAULT').toBe('DEFAULT');
      expect(nodegroup?.tags?.[ownTag]).toBeUndefined();
      // The plan says so, and its estimate counts batches of two.
      const plan = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output as {
        summary: string;
        estimatedSeconds: number;
      };
      expect(plan.summary).toContain('maxUnavailable 3, updateStrategy MINIMAL set before its roll');
      expect(plan.summary).toContain(
        `about ${Math.round(plan.estimatedSeconds / 60)} min in all, ${Math.round(unchanged / 60)} with their own settings`,
      );
      expect(plan.estimatedSeconds).toBeLessThan(unchanged);
    });
  });

  it('puts the group’s own settings back when its roll fails, and fails by the roll’s error', async () => {
    const input = { ...seedInput, rollingUpdate: runSettings };
    await runWorkflow({ input, fault: 'pdb-blocked' }, async ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('PodEvictionFailure');
      const changes = nodegroupChanges(aws).map((change) => change.operation);
      expect(changes.slice(-2)).toEqual(['UpdateNodegroupConfig', 'UntagResource']);
      const nodegroup = await nodegroupNow(aws);
      expect(nodegroup?.updateConfig).toMatchObject({ maxUnavailable: 1 });
      expect(nodegroup?.tags?.[ownTag]).toBeUndefined();
    });
  });

  it('changes nothing in a dry run, and says what it would set', async () => {
    const input = { ...seedInput, rollingUpdate: { maxUnavailablePercentage: 50 }, dryRun: true };
    await runWorkflow({ input }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      expect(nodegroupChanges(aws)).toEqual([]);
      const plan = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output as {
        summary: string;
      };
      expect(plan.summary).toContain('maxUnavailablePercentage 50 set before its roll');
    });
  });

  it("gives a group a stopped run left on the run's settings its own back, on the next run without rollingUpdate", async () => {
    const before = leaveRunSettingsOn;
    await runWorkflow({ input: seedInput, before }, async ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const nodegroup = await nodegroupNow(aws);
      expect(nodegroup?.version).toBe('1.19');
      expect(nodegroup?.updateConfig).toMatchObject({ maxUnavailable: 1 });
      expect(nodegroup?.tags?.[ownTag]).toBeUndefined();
    });
  });

  it('refuses both sizes at once, by name, before anything changes', async () => {
    const input = { ...seedInput, rollingUpdate: { maxUnavailable: 2, maxUnavailablePercentage: 50 } };
    await runWorkflow({ input, expectedErrors: ['InvalidInputError'] }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('InvalidInputError');
      expect(execution.cause).toContain('takes maxUnavailable or maxUnavailablePercentage, not both');
      expect(nodegroupChanges(aws)).toEqual([]);
    });
  });

  it('frames every roll of a group that rolls more than once in a run with its own settings updates', async () => {
    const input = {
      clusterName: 'legacy-cluster',
      targetVersion: '1.30',
      rollingUpdate: { maxUnavailable: 2 },
    };
    await runWorkflow({ scenario: 'multi-hop', input }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const updates = clusterState(aws, 'legacy-cluster').updates;
      const rolls = updates.filter((update) => update.nodegroupName && update.type === 'VersionUpdate');
      const settings = updates.filter((update) => update.type === 'ConfigUpdate');
      expect(rolls.length).toBeGreaterThan(3);
      expect(settings).toHaveLength(2 * rolls.length);
      expect(settings.every((update) => update.status === 'Successful')).toBe(true);
    });
  });

  it("puts back a group's own settings that a stopped run left on, although the group needs no roll", async () => {
    const before = async (aws: LocalAws) => {
      // A first run takes the group to 1.19; then a run stopped after its roll leaves its settings on.
      expect((await aws.execute(seedInput, { executionName: 'first-run' })).status).toBe('SUCCEEDED');
      await leaveRunSettingsOn(aws);
    };
    await runWorkflow({ input: seedInput, before }, async ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const plan = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output as {
        summary: string;
      };
      expect(plan.summary).toContain(`${nodegroupName}: own rolling settings put back`);
      expect(
        clusterState(aws).updates.filter((update) => update.nodegroupName && update.type === 'VersionUpdate'),
      ).toHaveLength(1);
      const nodegroup = await nodegroupNow(aws);
      expect(nodegroup?.updateConfig).toMatchObject({ maxUnavailable: 1 });
      expect(nodegroup?.tags?.[ownTag]).toBeUndefined();
    });
  });
});
