import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { parseScenario } from '../../local/simulator/scenario.ts';
import { clusterState, runWorkflow } from './helpers.ts';

const fourNodegroups = { clusterName: 'prod-cluster', targetVersion: '1.30' };

/** Each stage and each node group's roll runs as an execution of its own state machine. */
async function executionsOf(aws: LocalAws, stateMachine: string) {
  const sfn = new SFNClient({
    region: aws.scenario.region,
    endpoint: aws.simulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: aws.stateMachineArn(stateMachine) }),
  );
  return executions.map((execution) => ({ name: execution.name ?? '', status: execution.status }));
}

describe('stage and roll executions', () => {
  it('runs each stage and each roll as its own execution, named after the upgrade, and counts them in its result', async () => {
    await runWorkflow({ scenario: 'four-nodegroups', input: fourNodegroups }, async ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const stages = await executionsOf(aws, 'UpgradeStageStateMachine');
      const rolls = await executionsOf(aws, 'RollNodegroupStateMachine');
      expect(stages.length).toBeGreaterThan(0);
      for (const stage of stages) {
        expect(stage).toEqual({
          name: expect.stringMatching(/^workflow-test-stage\d+-r0$/),
          status: 'SUCCEEDED',
        });
      }
      expect(rolls.length).toBe(execution.tasks.filter((task) => task.state === 'Roll Node Group').length);
      for (const roll of rolls) expect(roll.name.length).toBeLessThanOrEqual(80);
      // The upgrade's own history is small; its result counts the parts' tasks and invocations too.
      expect(execution.historyEvents).toBeLessThan(execution.largestHistoryEvents * 2);
      expect(execution.tasks.some((task) => task.state === 'Check Node Group Update')).toBe(true);
      expect(execution.lambdaInvocations).toBe(
        execution.tasks.filter((task) => !/^(Notify|Run Stage|Roll Node Group)/.test(task.state)).length,
      );
    });
  });

  it('stops its running stage and roll with it, and the status-change rule tells the topic', async () => {
    // Where the seed run first looks at its node group's roll: the stage and the roll are running then.
    const firstCheck = await runWorkflow({}, ({ execution }) =>
      execution.tasks.findIndex((task) => task.state === 'Check Node Group Update'),
    );
    expect(firstCheck).toBeGreaterThan(0);
    await runWorkflow({ options: { abortAfterTasks: firstCheck + 1 } }, async ({ execution, aws }) => {
      expect(execution.status).toBe('ABORTED');
      expect(await executionsOf(aws, 'UpgradeStageStateMachine')).toEqual([
        { name: expect.stringMatching(/^workflow-test-stage1-/), status: 'ABORTED' },
      ]);
      expect(await executionsOf(aws, 'RollNodegroupStateMachine')).toEqual([
        { name: expect.stringMatching(/^managednodegroup-/), status: 'ABORTED' },
      ]);
      // Nothing the definition could catch: the rule on the status change sends the only word of it.
      const messages = aws.simulator.snapshot().published.map((message) => message.message);
      expect(messages.at(-1)).toMatch(
        /^EKS upgrade execution workflow-test ended ABORTED, possibly where the workflow could not report it/,
      );
      expect(messages.filter((message) => message.includes('ended ABORTED'))).toHaveLength(1);
    });
  });

  it('lets the node groups rolling beside a failed one finish, then fails by its EKS error, naming both', async () => {
    await runWorkflow(
      {
        scenario: 'four-nodegroups',
        fault: 'pdb-blocked',
        input: { ...fourNodegroups, maxConcurrentNodegroups: 4 },
      },
      ({ execution, aws }) => {
        expect(execution).toMatchObject({ status: 'FAILED', error: 'PodEvictionFailure' });
        const versions = Object.fromEntries(
          clusterState(aws, fourNodegroups.clusterName).nodegroups.map((nodegroup) => [
            nodegroup.name,
            nodegroup.version,
          ]),
        );
        // The blocked group stays; its three siblings, rolling at the same time, ran to their end.
        expect(versions).toEqual({ system: '1.29', apps: '1.30', 'batch-spot': '1.30', ingress: '1.30' });
        expect(execution.cause).toMatch(
          /^1 of 4 node groups of cluster prod-cluster did not roll in stage \d+: node group system: PodEvictionFailure: .+ The others finished: 3 rolled \(/,
        );
        const failure = aws.simulator.snapshot().published.at(-1);
        expect(failure?.subject).toContain('upgrade FAILED');
        expect(failure?.message).toContain('The upgrade stopped with PodEvictionFailure: 1 of 4 node groups');
      },
    );
  });

  it('starts no later stage once one failed, as AWS starts no queued Map iteration after a failure', async () => {
    const base = loadScenario('multi-hop');
    const scenario = parseScenario({
      ...base,
      faults: [{ type: 'update-fails', cluster: 'legacy-cluster', occurrence: 1, afterMinutes: 5 }],
    });
    const input = { clusterName: 'legacy-cluster', targetVersion: '1.30' };
    await runWorkflow({ scenario, input, expectedErrors: ['UpdateFailed'] }, async ({ execution, aws }) => {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'UpdateFailed' });
      expect(execution.tasks.filter((task) => task.state === 'Run Stage')).toHaveLength(1);
      expect(await executionsOf(aws, 'UpgradeStageStateMachine')).toHaveLength(1);
      const hops = aws.simulator.requestLog.filter((request) => request.operation === 'UpdateClusterVersion');
      expect(hops).toHaveLength(1);
      // After the failure the run only explains and notifies.
      const after = execution.tasks.slice(
        execution.tasks.findIndex((task) => task.state === 'Run Stage') + 1,
      );
      expect(after.map((task) => task.state)).toEqual(['Explain Failure', 'Notify Failure']);
    });
  });
});
