import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  findStateMachine,
  formatEnd,
  readHistory,
  startCommand,
  tasksOf,
  type WatchedStep,
  watchCommand,
} from '../../cli/commands.ts';

const sfnMock = mockClient(SFNClient);
const cfnMock = mockClient(CloudFormationClient);
const at = (second: number) => new Date(Date.parse('2026-11-25T02:00:00Z') + second * 1000);
const step = (status: string, updateId: string | null = 'u-1') =>
  JSON.stringify({
    kind: 'controlPlane',
    clusterName: 'c',
    target: '1.30',
    updateId,
    status,
    adopted: false,
  });

describe('eks-upgrade', () => {
  beforeEach(() => {
    sfnMock.reset();
    cfnMock.reset();
  });

  it('finds the state machine from the stack outputs unless a flag names it', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'eks-upgrade',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'UpgradeClusterStateMachineArn', OutputValue: 'arn:from-stack' }],
        },
      ],
    });
    const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
    expect(await findStateMachine({}, cloudFormation)).toBe('arn:from-stack');
    expect(await findStateMachine({ stateMachineArn: 'arn:flag' }, cloudFormation)).toBe('arn:flag');
  });

  it('names the flag to pass when the stack lacks the output', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'other',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }],
        },
      ],
    });
    await expect(
      findStateMachine({ stack: 'other' }, new CloudFormationClient({ region: 'us-east-1' })),
    ).rejects.toMatchObject({
      name: 'StackOutputMissingError',
      message: expect.stringMatching(
        /^Stack other has no UpgradeClusterStateMachineArn output.*--state-machine-arn\.$/,
      ),
    });
  });

  it('starts an execution named from cluster, target and time, with the request as input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution' });
    const arn = await startCommand(
      { clusterName: 'c', targetVersion: '1.30' },
      'arn:sm',
      new SFNClient({ region: 'us-east-1' }),
      () => at(0),
    );
    expect(arn).toBe('arn:execution');
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: 'arn:sm',
      name: 'c-1.30-20261125T020000Z',
      input: JSON.stringify({ clusterName: 'c', targetVersion: '1.30' }),
    });
  });

  it('watches an execution: each step once, as npm start prints it, until it ends', async () => {
    const history = [
      { id: 1, previousEventId: 0, type: 'ExecutionStarted' as const, timestamp: at(0) },
      ...lambdaTask(2, 1, 'Update Control Plane', 0, 1, step('InProgress')),
      ...lambdaTask(7, 6, 'Check Control Plane Update', 1499, 1500, step('Successful')),
    ];
    const ended = { id: 12, previousEventId: 11, type: 'ExecutionSucceeded' as const, timestamp: at(1501) };
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: history.slice(0, 6) })
      .resolves({ events: [...history, ended] });
    const steps: WatchedStep[] = [];
    const end = await watchCommand('arn:execution', {
      sfn: new SFNClient({ region: 'us-east-1' }),
      onStep: (watched) => steps.push(watched),
      sleep: async () => undefined,
    });
    expect(end).toEqual({ executionArn: 'arn:execution', status: 'SUCCEEDED' });
    expect([...steps.map((watched) => watched.line), formatEnd(end)]).toEqual([
      '+  0m 01s  Control plane: update started to 1.30 (update u-1).',
      '+ 25m 00s  Control plane: Successful (update u-1).',
      'SUCCEEDED',
    ]);
    expect(steps[1]).toMatchObject({
      state: 'Check Control Plane Update',
      endedAt: at(1500).toISOString(),
      output: { status: 'Successful', updateId: 'u-1' },
    });
  });

  it('reads every page of the history through nextToken', async () => {
    const started = { id: 1, previousEventId: 0, type: 'ExecutionStarted' as const, timestamp: at(0) };
    const task = lambdaTask(2, 1, 'Update Control Plane', 0, 1, step('InProgress'));
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [started, ...task.slice(0, 2)], nextToken: 'page-2' })
      .resolvesOnce({ events: task.slice(2) });
    const events = await readHistory(new SFNClient({ region: 'us-east-1' }), 'arn:execution');
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(2);
  });

  it('shows a failed attempt before its retry, each Lambda invocation once', () => {
    const events = [
      { id: 1, previousEventId: 0, type: 'ExecutionStarted' as const, timestamp: at(0) },
      entered(2, 1, 'Update Control Plane', 0),
      { id: 3, previousEventId: 2, type: 'LambdaFunctionScheduled' as const, timestamp: at(0) },
      { id: 4, previousEventId: 3, type: 'LambdaFunctionStarted' as const, timestamp: at(0) },
      {
        id: 5,
        previousEventId: 4,
        type: 'LambdaFunctionFailed' as const,
        timestamp: at(1),
        lambdaFunctionFailedEventDetails: {
          error: 'Lambda.TooManyRequestsException',
          cause: 'Rate exceeded',
        },
      },
      { id: 6, previousEventId: 5, type: 'LambdaFunctionScheduled' as const, timestamp: at(3) },
      { id: 7, previousEventId: 6, type: 'LambdaFunctionStarted' as const, timestamp: at(3) },
      succeeded(8, 7, 4, step('InProgress')),
    ];
    expect(
      tasksOf(events).map((task) => [task.state, task.error?.name ?? 'ok', task.startedAt, task.endedAt]),
    ).toEqual([
      ['Update Control Plane', 'Lambda.TooManyRequestsException', at(0).getTime(), at(1).getTime()],
      ['Update Control Plane', 'ok', at(3).getTime(), at(4).getTime()],
    ]);
  });

  it('keeps the node groups of parallel Map iterations apart by event ids', () => {
    const nodegroup = (name: string) =>
      JSON.stringify({
        kind: 'nodegroup',
        clusterName: 'c',
        nodegroupName: name,
        target: '1.30',
        updateId: `u-${name}`,
        status: 'InProgress',
        adopted: false,
      });
    // Two iterations whose events interleave: a's task ends after b's began, and b's first.
    const events = [
      { id: 1, previousEventId: 0, type: 'MapIterationStarted' as const, timestamp: at(0) },
      { id: 2, previousEventId: 0, type: 'MapIterationStarted' as const, timestamp: at(0) },
      entered(3, 1, 'Update Node Group', 0, { name: 'a' }),
      entered(4, 2, 'Update Node Group', 0, { name: 'b' }),
      { id: 5, previousEventId: 3, type: 'LambdaFunctionScheduled' as const, timestamp: at(0) },
      { id: 6, previousEventId: 4, type: 'LambdaFunctionScheduled' as const, timestamp: at(1) },
      { id: 7, previousEventId: 6, type: 'LambdaFunctionStarted' as const, timestamp: at(1) },
      { id: 8, previousEventId: 5, type: 'LambdaFunctionStarted' as const, timestamp: at(1) },
      succeeded(9, 7, 2, nodegroup('b')),
      succeeded(10, 8, 3, nodegroup('a')),
    ];
    expect(
      tasksOf(events).map((task) => [
        task.input,
        task.startedAt,
        (task.output as { nodegroupName: string }).nodegroupName,
      ]),
    ).toEqual([
      [{ name: 'b' }, at(1).getTime(), 'b'],
      [{ name: 'a' }, at(0).getTime(), 'a'],
    ]);
  });
});

function entered(id: number, previousEventId: number, name: string, second: number, input: unknown = {}) {
  return {
    id,
    previousEventId,
    type: 'TaskStateEntered' as const,
    timestamp: at(second),
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  };
}

function succeeded(id: number, previousEventId: number, second: number, output: string) {
  return {
    id,
    previousEventId,
    type: 'LambdaFunctionSucceeded' as const,
    timestamp: at(second),
    lambdaFunctionSucceededEventDetails: { output },
  };
}

/** The five events AWS writes for a Lambda task that succeeds at its first attempt. */
function lambdaTask(
  firstId: number,
  previousEventId: number,
  name: string,
  start: number,
  end: number,
  output: string,
) {
  return [
    entered(firstId, previousEventId, name, start),
    {
      id: firstId + 1,
      previousEventId: firstId,
      type: 'LambdaFunctionScheduled' as const,
      timestamp: at(start),
    },
    {
      id: firstId + 2,
      previousEventId: firstId + 1,
      type: 'LambdaFunctionStarted' as const,
      timestamp: at(start),
    },
    succeeded(firstId + 3, firstId + 2, end, output),
    {
      id: firstId + 4,
      previousEventId: firstId + 3,
      type: 'TaskStateExited' as const,
      timestamp: at(end),
      stateExitedEventDetails: { name, output: '{}' },
    },
  ];
}
