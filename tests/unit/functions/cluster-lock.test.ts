import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureNoEarlierUpgrade } from '../../../functions/plan-upgrade/cluster-lock.ts';

const sfnMock = mockClient(SFNClient);
const executions = {
  sfn: new SFNClient({ region: 'us-east-1' }),
  stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:s',
};
const self = { name: 'prod-b-window', startTime: '2026-11-29T02:00:00.000Z', roleArn: null };

function running(name: string, startDate: string, clusterName: string) {
  return {
    name,
    startDate: new Date(startDate),
    executionArn: `arn:aws:states:us-east-1:1:execution:s:${name}`,
    clusterName,
  };
}

function given(...others: ReturnType<typeof running>[]) {
  sfnMock.on(ListExecutionsCommand).resolves({
    executions: others.map(({ clusterName: _, ...execution }) => ({
      ...execution,
      stateMachineArn: executions.stateMachineArn,
      status: 'RUNNING',
    })),
  });
  for (const other of others) {
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: other.executionArn })
      .resolves({ input: JSON.stringify({ clusterName: other.clusterName }) });
  }
}

describe('ensureNoEarlierUpgrade', () => {
  beforeEach(() => sfnMock.reset());

  it('refuses while an execution started earlier upgrades the same cluster, naming it', async () => {
    given(running('prod-ami-refresh', '2026-11-29T01:30:00.000Z', 'prod'));
    await expect(ensureNoEarlierUpgrade('prod', self, executions)).rejects.toMatchObject({
      name: 'ClusterBusyError',
      message: expect.stringContaining('is being upgraded by execution prod-ami-refresh'),
    });
  });

  it('goes on beside upgrades of other clusters, later ones, and itself', async () => {
    given(
      running('other-cluster', '2026-11-29T01:00:00.000Z', 'staging'),
      running('later', '2026-11-29T02:05:00.000Z', 'prod'),
      running(self.name, self.startTime, 'prod'),
    );
    await expect(ensureNoEarlierUpgrade('prod', self, executions)).resolves.toBeUndefined();
    // Later and own executions are not even described.
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('tells two started in the same instant apart by name: exactly one goes on', async () => {
    given(running('prod-a-window', self.startTime, 'prod'));
    await expect(ensureNoEarlierUpgrade('prod', self, executions)).rejects.toMatchObject({
      name: 'ClusterBusyError',
    });
    given(running('prod-c-window', self.startTime, 'prod'));
    await expect(ensureNoEarlierUpgrade('prod', self, executions)).resolves.toBeUndefined();
  });

  it("tells clusters of one name in two accounts apart: another account's run does not hold this one", async () => {
    given(running('prod-ami-refresh', '2026-11-29T01:30:00.000Z', 'prod'));
    const elsewhere = { ...self, roleArn: 'arn:aws:iam::210987654321:role/eks-upgrade-access' };
    await expect(ensureNoEarlierUpgrade('prod', elsewhere, executions)).resolves.toBeUndefined();
  });
});
