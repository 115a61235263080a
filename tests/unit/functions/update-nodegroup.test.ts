import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
  type Nodegroup,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { updateRequestToken } from '../../../functions/shared/tokens.ts';
import { updateNodegroup } from '../../../functions/update-nodegroup/update-nodegroup.ts';
import { eksError, seedRotation } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const now = new Date('2026-11-25T02:00:00Z');
const deps = { eks, now: () => now };
const event = {
  clusterName: 'prod',
  nodegroup: seedRotation,
  force: false,
  executionName: 'run-1',
  deadline: null,
};

function givenNodegroup(overrides: Partial<Nodegroup> = {}) {
  eksMock.on(DescribeNodegroupCommand).resolves({
    nodegroup: {
      nodegroupName: 'managednodegroup',
      version: '1.18',
      releaseVersion: '1.18.9-20210208',
      status: 'ACTIVE',
      scalingConfig: { desiredSize: 3 },
      ...overrides,
    },
  });
}

describe('updateNodegroup', () => {
  beforeEach(() => {
    eksMock.reset();
    givenNodegroup();
    eksMock.on(UpdateNodegroupVersionCommand).resolves({ update: { id: 'ng-u-1', status: 'InProgress' } });
  });

  it('starts a rolling update to the control plane version, respecting pod disruption budgets', async () => {
    const result = await updateNodegroup(event, deps);
    expect(result).toMatchObject({
      kind: 'nodegroup',
      nodegroupName: 'managednodegroup',
      updateId: 'ng-u-1',
      status: 'InProgress',
    });
    expect(eksMock).toHaveReceivedCommandWith(UpdateNodegroupVersionCommand, {
      clusterName: 'prod',
      nodegroupName: 'managednodegroup',
      version: '1.19',
      force: false,
      clientRequestToken: updateRequestToken('run-1', 'nodegroup/prod/managednodegroup', '1.19/newest/'),
    });
    const input = eksMock.commandCalls(UpdateNodegroupVersionCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('releaseVersion');
  });

  it('passes force and a pinned release through', async () => {
    await updateNodegroup(
      { ...event, force: true, nodegroup: { ...seedRotation, releaseVersion: '1.19.15-20211013' } },
      deps,
    );
    expect(eksMock).toHaveReceivedCommandWith(UpdateNodegroupVersionCommand, {
      force: true,
      releaseVersion: '1.19.15-20211013',
    });
  });

  it('keeps the node group on its launch template version', async () => {
    givenNodegroup({ launchTemplate: { id: 'lt-0abc', name: 'ng-template', version: '7' } });
    await updateNodegroup(event, deps);
    expect(eksMock).toHaveReceivedCommandWith(UpdateNodegroupVersionCommand, {
      launchTemplate: { id: 'lt-0abc', version: '7' },
    });
  });

  it('defers a rolling update that would not end before the deadline: an outcome, not an error', async () => {
    const deadline = new Date(now.getTime() + 10 * 60_000).toISOString();
    expect(await updateNodegroup({ ...event, deadline }, deps)).toMatchObject({
      status: 'Deferred',
      updateId: null,
      note: expect.stringContaining('would end after the deadline'),
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateNodegroupVersionCommand);
  });

  it('skips a node group already on the target', async () => {
    givenNodegroup({ version: '1.19', releaseVersion: '1.19.15-20211013' });
    expect(await updateNodegroup(event, deps)).toMatchObject({ status: 'Skipped', updateId: null });
    expect(eksMock).not.toHaveReceivedCommand(UpdateNodegroupVersionCommand);
  });

  it('skips a node group on a custom AMI and says why', async () => {
    givenNodegroup({ releaseVersion: 'ami-0123456789abcdef0' });
    expect(await updateNodegroup(event, deps)).toMatchObject({
      status: 'Skipped',
      note: expect.stringContaining('custom AMI'),
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateNodegroupVersionCommand);
  });

  it('never rolls a node group back from a version past the step (a rerun)', async () => {
    givenNodegroup({ version: '1.20', releaseVersion: '1.20.4-20210526' });
    expect(await updateNodegroup(event, deps)).toMatchObject({
      status: 'Skipped',
      note: expect.stringContaining('past'),
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateNodegroupVersionCommand);
  });

  it('moves a custom-AMI node group to the launch template version the plan names, and only that', async () => {
    givenNodegroup({
      releaseVersion: 'ami-0123456789abcdef0',
      launchTemplate: { id: 'lt-0abc', version: '3' },
    });
    const step = {
      ...seedRotation,
      toVersion: null,
      reason: 'launch-template' as const,
      launchTemplate: { id: 'lt-0abc', version: '4' },
    };
    await updateNodegroup({ ...event, nodegroup: step }, deps);
    const input = eksMock.commandCalls(UpdateNodegroupVersionCommand)[0]?.args[0].input;
    expect(input?.launchTemplate).toEqual({ id: 'lt-0abc', version: '4' });
    expect(input).not.toHaveProperty('version');
  });

  it('adopts a version update to the same target already running on the node group', async () => {
    eksMock.on(UpdateNodegroupVersionCommand).rejects(eksError('ResourceInUseException', 'in progress', 409));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['ng-u-0'] });
    eksMock.on(DescribeUpdateCommand).resolves({
      update: {
        id: 'ng-u-0',
        status: 'InProgress',
        type: 'VersionUpdate',
        params: [{ type: 'Version', value: '1.19' }],
      },
    });
    expect(await updateNodegroup(event, deps)).toMatchObject({ updateId: 'ng-u-0', adopted: true });
    expect(eksMock).toHaveReceivedCommandWith(ListUpdatesCommand, {
      name: 'prod',
      nodegroupName: 'managednodegroup',
    });
  });

  it("adopts a launch-template-only roll to the planned template version, and follows another one as someone else's", async () => {
    givenNodegroup({
      releaseVersion: 'ami-0123456789abcdef0',
      launchTemplate: { id: 'lt-0abc', version: '3' },
      status: 'UPDATING',
    });
    const step = {
      ...seedRotation,
      toVersion: null,
      reason: 'launch-template' as const,
      launchTemplate: { id: 'lt-0abc', version: '4' },
    };
    eksMock.on(UpdateNodegroupVersionCommand).rejects(eksError('ResourceInUseException', 'in progress', 409));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['ng-u-0'] });
    const running = (templateVersion: string) =>
      eksMock.on(DescribeUpdateCommand).resolves({
        update: {
          id: 'ng-u-0',
          status: 'InProgress',
          type: 'VersionUpdate',
          params: [
            { type: 'LaunchTemplateName', value: 'custom' },
            { type: 'LaunchTemplateVersion', value: templateVersion },
          ],
        },
      });
    running('4');
    expect(await updateNodegroup({ ...event, nodegroup: step }, deps)).toMatchObject({
      updateId: 'ng-u-0',
      adopted: true,
    });
    running('5');
    const other = await updateNodegroup({ ...event, nodegroup: step }, deps);
    expect(other).toMatchObject({ updateId: 'ng-u-0', adopted: false, foreign: { type: 'VersionUpdate' } });
  });

  it('describes the listed updates ten at a time and stops at the batch holding the running one', async () => {
    eksMock.on(UpdateNodegroupVersionCommand).rejects(eksError('ResourceInUseException', 'in progress', 409));
    const ids = Array.from({ length: 45 }, (_, index) => `old-${index}`);
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: [...ids.slice(0, 12), 'ng-u-0', ...ids.slice(12)] });
    eksMock.on(DescribeUpdateCommand).callsFake(({ updateId }: { updateId: string }) => ({
      update: {
        id: updateId,
        status: updateId === 'ng-u-0' ? 'InProgress' : 'Successful',
        type: 'VersionUpdate',
        params: [{ type: 'Version', value: '1.19' }],
      },
    }));
    expect(await updateNodegroup(event, deps)).toMatchObject({ updateId: 'ng-u-0', adopted: true });
    expect(eksMock.commandCalls(DescribeUpdateCommand)).toHaveLength(20);
  });

  it('waits (retryable error) while the cluster is busy with a control plane update', async () => {
    eksMock
      .on(UpdateNodegroupVersionCommand)
      .rejects(eksError('ResourceInUseException', 'cluster busy', 409));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: [] });
    await expect(updateNodegroup(event, deps)).rejects.toMatchObject({ name: 'UpdateInProgressError' });
  });
});

describe('updateNodegroup under rollingUpdate', () => {
  const own = { maxUnavailable: 1, updateStrategy: 'DEFAULT' as const };
  const wanted = { maxUnavailable: 3, updateStrategy: 'DEFAULT' as const };
  const rolling = { ...event, nodegroup: { ...seedRotation, rollingUpdate: { maxUnavailable: 3 } } };
  const rollEnded = (failure?: { error: string; cause: string }) => ({
    kind: 'nodegroup' as const,
    clusterName: 'prod',
    nodegroupName: 'managednodegroup',
    target: '1.19',
    updateId: 'ng-u-1',
    status: failure ? ('Failed' as const) : ('Successful' as const),
    adopted: false,
    expectedSeconds: 3600,
    nextWaitSeconds: 0,
    startedAt: null,
    finishedAt: null,
    polls: 12,
    rollingSettings: { phase: 'roll' as const, own, wanted },
    ...(failure ? { failure } : {}),
  });

  beforeEach(() => {
    eksMock.reset();
    givenNodegroup({
      nodegroupArn: 'arn:aws:eks:us-east-1:123456789012:nodegroup/prod/managednodegroup/x',
      updateConfig: wanted,
      tags: { 'eks-upgrade/own-update-config': 'maxUnavailable=1 updateStrategy=DEFAULT' },
    });
    eksMock.on(UpdateNodegroupConfigCommand).resolves({ update: { id: 'cfg-2', status: 'InProgress' } });
  });

  it("sends each roll's settings updates with a token of their own, so a second roll in a run is not handed the first's", async () => {
    await updateNodegroup({ ...rolling, previous: rollEnded() }, deps);
    const second = { ...rolling, nodegroup: { ...rolling.nodegroup, toVersion: '1.20' } };
    await updateNodegroup({ ...second, previous: { ...rollEnded(), target: '1.20' } }, deps);
    const tokens = eksMock
      .commandCalls(UpdateNodegroupConfigCommand)
      .map((call) => call.args[0].input.clientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
  });

  it('leaves the settings alone while a stuck roll still holds the group, and says where its own are', async () => {
    const stuck = { error: 'UpdateStuck', cause: 'Update ng-u-1 has been in progress for 400 min.' };
    const result = await updateNodegroup({ ...rolling, previous: rollEnded(stuck) }, deps);
    expect(eksMock).not.toHaveReceivedCommand(UpdateNodegroupConfigCommand);
    expect(result.status).toBe('Failed');
    expect(result.rollingSettings).toBeUndefined();
    expect(result.failure?.error).toBe('UpdateStuck');
    expect(result.failure?.cause).toContain(
      'in its tag eks-upgrade/own-update-config, and the next run puts them back',
    );
  });

  it("reports the roll as it ended when another update keeps the group's own settings from going back", async () => {
    eksMock.on(UpdateNodegroupConfigCommand).rejects(eksError('ResourceInUseException', 'busy', 409));
    const result = await updateNodegroup({ ...rolling, previous: rollEnded() }, deps);
    expect(result).toMatchObject({ status: 'Successful', updateId: 'ng-u-1' });
    expect(result.note).toContain(
      "keeps this run's rolling settings (maxUnavailable=3 updateStrategy=DEFAULT)",
    );
  });
});
