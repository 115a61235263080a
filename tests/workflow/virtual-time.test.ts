import { describe, expect, it } from 'vitest';
import { failTask, runWorkflow } from './helpers.ts';

const fourNodegroups = (maxConcurrentNodegroups: number) => ({
  scenario: 'four-nodegroups',
  input: { clusterName: 'prod-cluster', targetVersion: '1.30', maxConcurrentNodegroups },
});

describe('simulated time', () => {
  it('advances by exactly the seconds a Wait state asks for', async () => {
    await runWorkflow({}, ({ execution }) => {
      const started = execution.tasks.find((task) => task.state === 'Update Control Plane' && !task.error);
      const firstCheck = execution.tasks.find((task) => task.state === 'Check Control Plane Update');
      const wait = (started?.output as { nextWaitSeconds?: number } | undefined)?.nextWaitSeconds ?? 0;
      expect(wait).toBeGreaterThan(0);
      expect((firstCheck?.startedAt ?? 0) - (started?.endedAt ?? 0)).toBe(wait * 1000);
    });
  });

  it('is deterministic: the same run twice takes the same simulated time and calls', async () => {
    const trace = () =>
      runWorkflow({}, ({ execution, aws }) => ({
        seconds: execution.endedAt - execution.startedAt,
        calls: aws.simulator.requestLog.map((request) => `${request.at} ${request.operation}`),
      }));
    expect(await trace()).toEqual(await trace());
  });

  it('runs parallel node group branches on one shared clock', async () => {
    const nodegroupPhase = (concurrency: number) =>
      runWorkflow(fourNodegroups(concurrency), ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        const updates =
          aws.simulator.snapshot().clusters[0]?.updates.filter((update) => update.nodegroupName) ?? [];
        expect(updates).toHaveLength(4);
        const durations = updates.map((update) => (update.endedAt ?? Number.NaN) - update.createdAt);
        const phase = execution.endedAt - Math.min(...updates.map((update) => update.createdAt));
        return { phase, longest: Math.max(...durations), total: durations.reduce((sum, ms) => sum + ms, 0) };
      });
    const oneAtATime = await nodegroupPhase(1);
    const allAtOnce = await nodegroupPhase(4);
    // One after another, the phase lasts at least the sum of the updates; side by side, branches
    // waiting together advance the one clock together, so it lasts about the longest update.
    expect(oneAtATime.phase).toBeGreaterThanOrEqual(oneAtATime.total);
    expect(allAtOnce.phase).toBeGreaterThanOrEqual(allAtOnce.longest);
    expect(allAtOnce.phase).toBeLessThan(allAtOnce.longest + 5 * 60_000);
  });

  it('counts each retry as a state transition, as Step Functions bills it', async () => {
    const counts = (options: Parameters<typeof runWorkflow>[0]['options']) =>
      runWorkflow({ ...(options ? { options } : {}) }, ({ execution }) => ({
        transitions: execution.stateTransitions,
        invocations: execution.lambdaInvocations,
      }));
    const clean = await counts(undefined);
    // The last task (an SNS publish) fails twice and is retried: nothing after it waits on the clock.
    const retried = await counts({
      wrapTask: failTask('Notify Success', 'States.TaskFailed', { times: 2 }),
    });
    expect(retried).toEqual({ transitions: clean.transitions + 2, invocations: clean.invocations });
  });
});
