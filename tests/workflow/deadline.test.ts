import { describe, expect, it } from 'vitest';
import { controlPlaneExpectedSeconds } from '../../functions/shared/polling.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { clusterState, mutatingCalls, runWorkflow, seedInput } from './helpers.ts';

const start = Date.parse(loadScenario('seed').startTime);
const minutesFromStart = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
/** A deadline too soon for a control-plane hop, by the workflow's own long-but-normal estimate. */
const tooSoonMinutes = controlPlaneExpectedSeconds / 60 - 2;

describe('deadlines and upgrade windows', () => {
  it('never starts a control plane hop that cannot end inside the window', async () => {
    await runWorkflow(
      { input: { ...seedInput, deadline: minutesFromStart(tooSoonMinutes) } },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(execution.output).toMatchObject({ deferral: { Error: 'UpgradeDeferredError' } });
        expect(mutatingCalls(aws)).toEqual([]);
        expect(aws.simulator.snapshot().published.at(-1)?.subject).toContain('deferred to the next window');
      },
    );
  });

  it('stops cleanly before a step that would overrun, and the next window finishes the upgrade', async () => {
    const aws = await LocalAws.start(loadScenario('seed'));
    try {
      // A 50-minute window from a schedule: the control plane and kube-proxy fit; the node group (about
      // 44 min by the workflow's estimate) fits a window, but not what is left of this one.
      const window = { start: minutesFromStart(0), minutes: 50 };
      const first = await aws.execute({ ...seedInput, window }, { executionName: 'window-1' });
      expect(first.status).toBe('SUCCEEDED');
      expect(first.output).toMatchObject({
        deferral: { Cause: expect.stringContaining('Node group managednodegroup') },
      });
      expect(clusterState(aws)).toMatchObject({ version: '1.19', nodegroups: [{ version: '1.18' }] });

      const next = { start: new Date(aws.now()).toISOString(), minutes: 240 };
      const second = await aws.execute({ ...seedInput, window: next }, { executionName: 'window-2' });
      expect(second.status).toBe('SUCCEEDED');
      expect(second.output).not.toHaveProperty('deferral');
      expect(clusterState(aws)).toMatchObject({ version: '1.19', nodegroups: [{ version: '1.19' }] });
      // Nothing done twice: one control plane update, one add-on update, one node group update.
      expect(mutatingCalls(aws).map((call) => call.operation)).toEqual([
        'UpdateClusterVersion',
        'UpdateAddon',
        'UpdateNodegroupVersion',
      ]);
    } finally {
      await aws.close();
    }
  });

  it('refuses a deadline that has already passed instead of calling the run deferred', async () => {
    await runWorkflow({ input: { ...seedInput, deadline: minutesFromStart(-5) } }, ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
      expect(execution.cause).toContain('before it started');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('keeps the earlier end when both a deadline and a window are given', async () => {
    const window = { start: minutesFromStart(0), minutes: 240 };
    await runWorkflow(
      { input: { ...seedInput, window, deadline: minutesFromStart(tooSoonMinutes) } },
      ({ execution, aws }) => {
        expect(execution.output).toMatchObject({
          deadline: minutesFromStart(tooSoonMinutes),
          deferral: { Error: 'UpgradeDeferredError' },
        });
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it('refuses at plan time a node group roll that could never fit the window', async () => {
    const scenario = loadScenario('seed');
    const nodegroup = scenario.clusters[0]?.nodegroups[0];
    if (!nodegroup) throw new Error('the seed scenario has no node group');
    Object.assign(nodegroup, { minSize: 100, maxSize: 110, desiredSize: 100 });
    const window = { start: minutesFromStart(0), minutes: 240 };
    await runWorkflow({ scenario, input: { ...seedInput, window } }, ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
      expect(execution.cause).toContain('node group managednodegroup (100 nodes, 1 at a time)');
      expect(execution.cause).toContain('longer than the whole 240-minute upgrade window');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });
});
