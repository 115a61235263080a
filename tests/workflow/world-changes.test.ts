import {
  DeleteNodegroupCommand,
  type EKSClient,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import type { TaskWrapper } from '../../local/harness/bind-tasks.ts';
import type { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { clusterState, personsEks, runWorkflow, seedInput, type WorkflowSetup } from './helpers.ts';

/**
 * The AMI-refresh cluster (no control-plane hop: EKS refuses a cluster update while a node group
 * updates), where a node group config update takes `minutes` (a big scale-in, say).
 */
function refreshWithSlowConfigUpdates(minutes: number) {
  const scenario = loadScenario('ami-refresh');
  scenario.timings.nodegroupConfigUpdateMinutes = minutes;
  return scenario;
}

const refresh = { clusterName: 'refresh-cluster', nodegroups: ['apps'] };

/** Someone relabels the apps node group just before the run: a ConfigUpdate holds it for a while. */
async function someoneRelabels(aws: LocalAws): Promise<string> {
  const { update } = await personsEks(aws).send(
    new UpdateNodegroupConfigCommand({
      clusterName: refresh.clusterName,
      nodegroupName: 'apps',
      labels: { addOrUpdateLabels: { team: 'payments' } },
    }),
  );
  return update?.id ?? '';
}

describe('someone else updates a node group during the run', () => {
  it("waits for someone else's 2.5-hour node group update, however long, then rolls it", async () => {
    let theirs = '';
    await runWorkflow(
      {
        scenario: refreshWithSlowConfigUpdates(150),
        input: refresh,
        expectedErrors: ['ResourceInUseException'],
        before: async (aws) => {
          theirs = await someoneRelabels(aws);
        },
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const cluster = clusterState(aws, refresh.clusterName);
        expect(cluster.nodegroups.find((nodegroup) => nodegroup.name === 'apps')?.releaseVersion).toBe(
          '1.32.11-20261104',
        );
        const config = cluster.updates.find((update) => update.id === theirs);
        const roll = cluster.updates.find(
          (update) => update.type === 'VersionUpdate' && update.nodegroupName,
        );
        expect(config?.status).toBe('Successful');
        // Longer than any retry budget would have waited: the run followed their update to its end.
        expect((config?.endedAt ?? 0) - (config?.createdAt ?? 0)).toBeGreaterThanOrEqual(150 * 60_000);
        expect(roll?.createdAt).toBeGreaterThanOrEqual(config?.endedAt ?? Number.POSITIVE_INFINITY);
        const waited = execution.tasks.filter(
          (task) =>
            task.state === 'Check Node Group Update' &&
            (task.input as { updateId?: string }).updateId === theirs,
        );
        expect(waited.length).toBeGreaterThan(1);
      },
    );
  }, 60_000);

  it("defers, not fails, when someone else's update holds the node group past the deadline", async () => {
    await runWorkflow(
      {
        scenario: refreshWithSlowConfigUpdates(600),
        input: { ...refresh, deadline: '2026-11-25T05:00:00.000Z' },
        expectedErrors: ['ResourceInUseException'],
        before: async (aws) => {
          await someoneRelabels(aws);
        },
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(execution.output).toMatchObject({
          outcome: 'DEFERRED',
          deferral: {
            Error: 'UpgradeDeferredError',
            Cause: expect.stringContaining("Node group apps is still busy with someone else's update"),
          },
        });
        expect(
          clusterState(aws, refresh.clusterName).nodegroups.find((nodegroup) => nodegroup.name === 'apps')
            ?.releaseVersion,
        ).toBe('1.32.9-20251108');
        const message = aws.simulator.snapshot().published.at(-1)?.message ?? '';
        expect(message).not.toMatch(/fail/i);
      },
    );
  }, 60_000);
});

/** Runs `act` once, just before the first task of `state` whose input `matches`: a person acting mid-run. */
function whenTaskStarts(
  state: string,
  act: () => Promise<unknown>,
  matches: (input: unknown) => boolean = () => true,
): TaskWrapper {
  let done = false;
  return (name, run) => async (input) => {
    if (!done && name === state && matches(input)) {
      done = true;
      await act();
    }
    return run(input);
  };
}

/** A person, with a client of their own, acts just before the first task of `state` whose input `matches`. */
function personActs(
  state: string,
  act: (eks: EKSClient) => Promise<unknown>,
  matches?: (input: unknown) => boolean,
): Pick<WorkflowSetup, 'before' | 'options'> {
  let eks: EKSClient | undefined;
  return {
    before: async (aws) => {
      eks = personsEks(aws);
    },
    options: { wrapTask: whenTaskStarts(state, () => (eks ? act(eks) : Promise.resolve()), matches) },
  };
}

describe('the cluster changes under the run', () => {
  it('skips a node group deleted mid-run and says so, the others upgraded', async () => {
    const input = { clusterName: 'prod-cluster', targetVersion: '1.30', maxConcurrentNodegroups: 1 };
    await runWorkflow(
      {
        scenario: 'four-nodegroups',
        input,
        // Verify asks for the node group that is gone.
        expectedErrors: ['ResourceNotFoundException'],
        ...personActs(
          'Update Node Group',
          (eks) =>
            eks.send(
              new DeleteNodegroupCommand({ clusterName: input.clusterName, nodegroupName: 'ingress' }),
            ),
          (task) => (task as { nodegroup?: { name?: string } }).nodegroup?.name !== 'ingress',
        ),
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const versions = clusterState(aws, input.clusterName).nodegroups.map((nodegroup) => [
          nodegroup.name,
          nodegroup.version,
        ]);
        expect(versions.filter(([name]) => name !== 'ingress').map(([, version]) => version)).toEqual([
          '1.30',
          '1.30',
          '1.30',
        ]);
        const skipped = execution.tasks.find(
          (task) =>
            task.state === 'Update Node Group' &&
            (task.input as { nodegroup: { name: string } }).nodegroup.name === 'ingress',
        );
        expect(skipped?.output).toMatchObject({
          status: 'Skipped',
          note: expect.stringContaining('deleted outside this run'),
        });
        expect(aws.simulator.snapshot().published.at(-1)?.message).toContain('node group ingress');
      },
    );
  }, 60_000);

  it('plans an add-on again for the version someone moved the control plane to, past the target, and succeeds', async () => {
    await runWorkflow(
      {
        expectedErrors: ['ResourceInUseException'],
        ...personActs('Update Add-on', (eks) =>
          eks.send(new UpdateClusterVersionCommand({ name: seedInput.clusterName, version: '1.20' })),
        ),
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const cluster = clusterState(aws);
        expect(cluster.version).toBe('1.20');
        expect(cluster.nodegroups[0]?.version).toBe('1.19');
        const addon = cluster.updates.find(
          (update) => update.addonName === 'kube-proxy' && update.status === 'Successful',
        );
        expect(addon?.params.find((param) => param.type === 'AddonVersion')?.value).toMatch(/^v1\.20\./);
        const success = aws.simulator.snapshot().published.at(-1)?.message ?? '';
        expect(success).toContain(
          'the control plane is on 1.20, past the target 1.19: it was moved outside this run',
        );
      },
    );
  }, 60_000);
});

describe('a node group someone moved to the target on an older release', () => {
  it('follows their roll, then finishes it onto the planned release in the same run', async () => {
    await runWorkflow(
      {
        expectedErrors: ['ResourceInUseException'],
        ...personActs('Update Node Group', (eks) =>
          eks.send(
            new UpdateNodegroupVersionCommand({
              clusterName: seedInput.clusterName,
              nodegroupName: 'managednodegroup',
              version: '1.19',
              releaseVersion: '1.19.6-20210628',
            }),
          ),
        ),
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const cluster = clusterState(aws);
        expect(cluster.nodegroups[0]).toMatchObject({ version: '1.19', releaseVersion: '1.19.15-20211013' });
        const releases = cluster.updates
          .filter((update) => update.nodegroupName && update.type === 'VersionUpdate')
          .map((update) => update.params.find((param) => param.type === 'ReleaseVersion')?.value);
        expect(releases).toEqual(['1.19.6-20210628', '1.19.15-20211013']);
      },
    );
  }, 60_000);
});
