import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { readHistory, readRun, runTasksOf } from '../../cli/commands.ts';
import { reportFromHistory } from '../../cli/history-report.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { applyFault, loadScenario } from '../../local/simulator/index.ts';
import { renderRunReport } from '../../report/index.ts';
import { failTask, seedInput } from './helpers.ts';

/** An execution's histories read through GetExecutionHistory (its own, its stages'...), as `eks-upgrade report` reads a real one. */
async function historyOf(fault?: 'pdb-blocked', wrapTask?: ReturnType<typeof failTask>) {
  const scenario = fault ? applyFault(loadScenario('seed'), fault) : loadScenario('seed');
  const aws = await LocalAws.start(scenario);
  try {
    const result = await aws.execute(seedInput, {
      executionName: 'history-1',
      ...(wrapTask ? { wrapTask } : {}),
    });
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: aws.simulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const arn = `${aws.stateMachineArn('UpgradeClusterStateMachine').replace(':stateMachine:', ':execution:')}:history-1`;
    return { result, run: await readRun(sfn, arn), events: await readHistory(sfn, arn) };
  } finally {
    await aws.close();
  }
}

describe('eks-upgrade report', () => {
  it('rebuilds the run from the execution history alone: versions, each update and its duration', async () => {
    const { run } = await historyOf();
    const { summary } = reportFromHistory(run);
    expect(summary).toMatchObject({
      cluster: 'ekscluster-eksctl',
      from: '1.18',
      to: '1.19',
      status: 'SUCCEEDED',
    });
    expect(summary.steps.map((step) => [step.name, step.status, step.simulatedSeconds > 0])).toEqual([
      ['control plane', 'Successful', true],
      ['add-on kube-proxy', 'Successful', true],
      ['node group managednodegroup', 'Successful', true],
    ]);
    // As the run saw it: AWS's control plane (at most an hour) plus at most a tenth of it to notice the end.
    expect(summary.steps[0]?.simulatedSeconds).toBeGreaterThan(60);
    expect(summary.steps[0]?.simulatedSeconds).toBeLessThanOrEqual(66 * 60);
    expect(summary.nodegroups).toEqual([
      expect.objectContaining({
        name: 'managednodegroup',
        from: '1.18',
        to: '1.19',
        rotations: 1,
        instancesReplaced: 3,
      }),
    ]);
    expect(renderRunReport(reportFromHistory(run))).toContain('Upgraded 1.18 → 1.19');
  });

  it('tells a failed run with its EKS error code', async () => {
    const { run } = await historyOf('pdb-blocked');
    expect(reportFromHistory(run).summary).toMatchObject({
      status: 'FAILED',
      error: 'PodEvictionFailure',
    });
  });

  it('reads the histories as AWS writes them: ids in order, one LambdaFunctionScheduled per invocation', async () => {
    const { result, run, events } = await historyOf();
    expect(events).toHaveLength(result.historyEvents);
    // The upgrade, its one stage, and that stage's one roll: each its own execution and history.
    expect(run.map((execution) => execution.executionArn.split(':')[6])).toEqual([
      'eks-upgrade-upgrade-cluster',
      'eks-upgrade-upgrade-stage',
      'eks-upgrade-roll-nodegroup',
    ]);
    for (const execution of run) {
      expect(execution.events.map((event) => event.id)).toEqual(
        execution.events.map((_, index) => index + 1),
      );
      expect(execution.events.at(-1)?.type).toBe('ExecutionSucceeded');
    }
    expect(reportFromHistory(run).summary.lambdaInvocations).toBe(result.lambdaInvocations);
    expect(reportFromHistory(run).summary.historyEvents).toBe(result.largestHistoryEvents);
  });
});

describe('eks-upgrade watch', () => {
  it('shows a throttled attempt, then its retry, each invocation once', async () => {
    const { result, run } = await historyOf(
      undefined,
      failTask('Update Control Plane', 'Lambda.TooManyRequestsException'),
    );
    const attempts = runTasksOf(run).filter((task) => task.state === 'Update Control Plane');
    // The first attempt is throttled; the next ones wait for the insights refresh, then it starts.
    expect(attempts.map((task) => task.error?.name ?? 'succeeded')).toEqual([
      'Lambda.TooManyRequestsException',
      ...attempts.slice(1, -1).map(() => 'InsightsRefreshPendingError'),
      'succeeded',
    ]);
    expect(attempts.length).toBeGreaterThan(2);
    expect(runTasksOf(run)).toHaveLength(result.tasks.length);
  });
});

describe('eks-upgrade watch on parallel node groups', () => {
  it('pairs each node group task with its own iteration, as the runner recorded them', async () => {
    const scenario = loadScenario('four-nodegroups');
    const aws = await LocalAws.start(scenario);
    try {
      const result = await aws.execute(scenario.defaultInput, { executionName: 'parallel-1' });
      const sfn = new SFNClient({
        region: 'us-east-1',
        endpoint: aws.simulator.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const arn = `${aws.stateMachineArn('UpgradeClusterStateMachine').replace(':stateMachine:', ':execution:')}:parallel-1`;
      const fromHistory = runTasksOf(await readRun(sfn, arn));
      // Input and output of one invocation stay together: the node group asked for is the one answered.
      const pairs = (tasks: Array<{ state: string; input: unknown; output?: unknown }>) =>
        tasks
          .filter((task) => task.state.includes('Node Group'))
          .map((task) => JSON.stringify([task.state, task.input, task.output]))
          .sort();
      expect(pairs(fromHistory)).toEqual(pairs(result.tasks));
      expect(
        new Set(fromHistory.filter((task) => task.state === 'Update Node Group').map((task) => task.input)),
      ).toHaveProperty('size', 4);
    } finally {
      await aws.close();
    }
  });
});

describe('GetExecutionHistory and ListExecutions', () => {
  it('pages by maxResults and nextToken, newest first with reverseOrder, without data when asked', async () => {
    const aws = await LocalAws.start(loadScenario('seed'));
    try {
      const result = await aws.execute(seedInput, { executionName: 'paged-1' });
      const sfn = new SFNClient({
        region: 'us-east-1',
        endpoint: aws.simulator.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const stateMachineArn = aws.stateMachineArn('UpgradeClusterStateMachine');
      const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:paged-1`;
      const first = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 5,
          reverseOrder: true,
          includeExecutionData: false,
        }),
      );
      expect(first.events?.map((event) => event.id)).toEqual(
        [0, 1, 2, 3, 4].map((n) => result.historyEvents - n),
      );
      expect(first.events?.[0]?.executionSucceededEventDetails).toEqual({ outputDetails: undefined });
      const second = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 5,
          reverseOrder: true,
          nextToken: first.nextToken,
        }),
      );
      expect(second.events?.[0]?.id).toBe(result.historyEvents - 5);
      await expect(
        sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'not-a-token' })),
      ).rejects.toMatchObject({ name: 'InvalidToken', $metadata: { httpStatusCode: 400 } });
      await expect(
        sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1001 })),
      ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      const listed = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }),
      );
      expect(listed.executions?.map((execution) => [execution.name, execution.status])).toEqual([
        ['paged-1', 'SUCCEEDED'],
      ]);
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
      expect(running.executions).toEqual([]);
    } finally {
      await aws.close();
    }
  });
});
