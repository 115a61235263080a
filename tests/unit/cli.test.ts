import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { findStateMachine, startCommand, watchCommand } from '../../cli/commands.ts';

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
    const started = { id: 1, type: 'ExecutionStarted' as const, timestamp: at(0) };
    const entered = {
      id: 2,
      type: 'TaskStateEntered' as const,
      timestamp: at(0),
      stateEnteredEventDetails: { name: 'Update Control Plane', input: '{}' },
    };
    const exited = {
      id: 3,
      type: 'TaskStateExited' as const,
      timestamp: at(1),
      stateExitedEventDetails: { name: 'Update Control Plane', output: step('InProgress') },
    };
    const checked = {
      id: 4,
      type: 'TaskStateExited' as const,
      timestamp: at(1500),
      stateExitedEventDetails: { name: 'Check Control Plane Update', output: step('Successful') },
    };
    const ended = { id: 5, type: 'ExecutionSucceeded' as const, timestamp: at(1501) };
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [started, entered, exited] })
      .resolves({ events: [started, entered, exited, checked, ended] });
    const lines: string[] = [];
    const status = await watchCommand('arn:execution', {
      sfn: new SFNClient({ region: 'us-east-1' }),
      print: (line) => lines.push(line),
      sleep: async () => undefined,
    });
    expect(status).toBe('ExecutionSucceeded');
    expect(lines).toEqual([
      '+  0m 01s  Control plane: update started to 1.30 (update u-1).',
      '+ 25m 00s  Control plane: Successful (update u-1).',
      'SUCCEEDED',
    ]);
  });
});
