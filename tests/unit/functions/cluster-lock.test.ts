import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ensureNoEarlierUpgrade,
  lastRunStoppedAtGate,
} from '../../../functions/plan-upgrade/cluster-lock.ts';
import { executionNameFor } from '../../../functions/shared/fleet.ts';

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

describe('lastRunStoppedAtGate', () => {
  beforeEach(() => sfnMock.reset());
  const longName = 'payments-production-eu-west-1-primary-cluster-blue-2024';

  function ended(name: string, clusterName: string, error?: string, cause = `${error} cause`) {
    const executionArn = `arn:aws:states:us-east-1:1:execution:s:${name}`;
    sfnMock.on(DescribeExecutionCommand, { executionArn }).resolves({
      input: JSON.stringify({ clusterName }),
      ...(error ? { error, cause } : {}),
    });
    return {
      name,
      executionArn,
      stateMachineArn: executions.stateMachineArn,
      status: (error ? 'FAILED' : 'SUCCEEDED') as 'FAILED' | 'SUCCEEDED',
      startDate: new Date('2026-11-28T02:00:00Z'),
    };
  }

  it("finds the cluster's last run under the shortened name a long cluster name gets, past runs refused before any change", async () => {
    const gate = ended(
      executionNameFor(longName, 'ami-1.32.12-20261126-20261128T0200Z'),
      longName,
      'UpgradeRolledBackError',
    );
    const refused = ended(executionNameFor(longName, '20261129T0200Z'), longName, 'EarlierGateFailureError');
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [refused, gate] });
    const stopped = await lastRunStoppedAtGate(longName, { ...self, name: 'now' }, executions);
    expect(stopped).toContain('ended UpgradeRolledBackError');
  });

  it('looks past a run whose plan refused a replacement or unmanaged skew, not past one stopped before a later hop', async () => {
    const gate = ended('prod-1', 'prod', 'HealthGateFailedError');
    const replacement = ended('prod-2', 'prod', 'ReplacementRefusedError');
    const atPlan = ended('prod-3', 'prod', 'UnmanagedSkewError', 'Nodes outside ... Nothing was changed.');
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [atPlan, replacement, gate] });
    expect(await lastRunStoppedAtGate('prod', { ...self, name: 'now' }, executions)).toContain(
      'ended HealthGateFailedError',
    );
    const atHop = ended('prod-4', 'prod', 'UnmanagedSkewError', 'Nodes ... The cluster stays on 1.32.');
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [atHop, gate] });
    expect(await lastRunStoppedAtGate('prod', { ...self, name: 'now' }, executions)).toBeUndefined();
  });

  it('says nothing once a later run of the cluster got past its plan', async () => {
    const gate = ended('prod-1', 'prod', 'HealthGateFailedError');
    const later = ended('prod-2', 'prod');
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [later, gate] });
    expect(await lastRunStoppedAtGate('prod', { ...self, name: 'now' }, executions)).toBeUndefined();
  });
});
