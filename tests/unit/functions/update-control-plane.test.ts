import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListInsightsCommand,
  ListUpdatesCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { controlPlaneExpectedSeconds } from '../../../functions/shared/polling.ts';
import { updateRequestToken } from '../../../functions/shared/tokens.ts';
import { updateControlPlane } from '../../../functions/update-control-plane/update-control-plane.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const now = new Date('2026-11-25T02:00:00Z');
const deps = { eks, now: () => now };
const event = {
  clusterName: 'prod',
  targetVersion: '1.19',
  executionName: 'run-1',
  acceptInsightErrors: false,
  deadline: null,
};

describe('updateControlPlane', () => {
  beforeEach(() => {
    eksMock.reset();
    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', version: '1.18', status: 'ACTIVE' } });
    eksMock.on(ListInsightsCommand).resolves({ insights: [] });
  });

  it('stops before the hop when upgrade insights report errors', async () => {
    eksMock.on(ListInsightsCommand).resolves({
      insights: [
        {
          name: 'Deprecated APIs',
          insightStatus: { status: 'ERROR', reason: 'extensions/v1beta1 Ingress in use' },
        },
      ],
    });
    await expect(updateControlPlane(event, deps)).rejects.toMatchObject({
      name: 'InsightsBlockUpgradeError',
      message: expect.stringContaining('extensions/v1beta1'),
    });
    expect(eksMock).toHaveReceivedCommandWith(ListInsightsCommand, {
      clusterName: 'prod',
      filter: { categories: ['UPGRADE_READINESS'], kubernetesVersions: ['1.19'], statuses: ['ERROR'] },
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateClusterVersionCommand);
  });

  it('forces past insight errors only when the input accepts them', async () => {
    eksMock
      .on(ListInsightsCommand)
      .resolves({ insights: [{ name: 'Deprecated APIs', insightStatus: { status: 'ERROR' } }] });
    eksMock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });
    await updateControlPlane({ ...event, acceptInsightErrors: true }, deps);
    expect(eksMock).toHaveReceivedCommandWith(UpdateClusterVersionCommand, { force: true });
  });

  it('starts a one-minor update with a token derived from the execution and the step', async () => {
    eksMock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });
    const result = await updateControlPlane(event, deps);
    expect(result).toMatchObject({
      updateId: 'u-1',
      status: 'InProgress',
      adopted: false,
      kind: 'controlPlane',
    });
    expect(result.nextWaitSeconds).toBeGreaterThan(0);
    expect(eksMock).toHaveReceivedCommandWith(UpdateClusterVersionCommand, {
      name: 'prod',
      version: '1.19',
      clientRequestToken: updateRequestToken('run-1', 'cluster/prod', '1.19'),
    });
  });

  it('sends the same token when the invocation is retried', async () => {
    eksMock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });
    await updateControlPlane(event, deps);
    await updateControlPlane(event, deps);
    const tokens = eksMock
      .commandCalls(UpdateClusterVersionCommand)
      .map((call) => call.args[0].input.clientRequestToken);
    expect(new Set(tokens).size).toBe(1);
  });

  it('defers a hop that would not end before the deadline, without calling UpdateClusterVersion', async () => {
    const deadline = new Date(now.getTime() + controlPlaneExpectedSeconds * 1000 - 60_000).toISOString();
    await expect(updateControlPlane({ ...event, deadline }, deps)).rejects.toMatchObject({
      name: 'UpgradeDeferredError',
      message: expect.stringContaining(
        `Control plane hop to 1.19 needs about ${controlPlaneExpectedSeconds / 60} minutes`,
      ),
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateClusterVersionCommand);
  });

  it('starts a hop that ends before the deadline', async () => {
    eksMock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });
    const deadline = new Date(now.getTime() + controlPlaneExpectedSeconds * 1000).toISOString();
    expect(await updateControlPlane({ ...event, deadline }, deps)).toMatchObject({ updateId: 'u-1' });
  });

  it('skips when the cluster is already on (or past) the target', async () => {
    for (const version of ['1.19', '1.20']) {
      eksMock.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod', version, status: 'ACTIVE' } });
      expect(await updateControlPlane(event, deps)).toMatchObject({ status: 'Skipped', updateId: null });
    }
    expect(eksMock).not.toHaveReceivedCommand(UpdateClusterVersionCommand);
  });

  it('adopts a version update to the same target that is already in progress', async () => {
    eksMock
      .on(UpdateClusterVersionCommand)
      .rejects(
        eksError(
          'ResourceInUseException',
          'Cannot VersionUpdate because cluster prod currently has update u-9 in progress',
          409,
        ),
      );
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['u-old', 'u-9'] });
    eksMock
      .on(DescribeUpdateCommand, { updateId: 'u-old' })
      .resolves({ update: { id: 'u-old', status: 'Successful' } });
    eksMock.on(DescribeUpdateCommand, { updateId: 'u-9' }).resolves({
      update: {
        id: 'u-9',
        status: 'InProgress',
        type: 'VersionUpdate',
        params: [{ type: 'Version', value: '1.19' }],
      },
    });
    const result = await updateControlPlane(event, deps);
    expect(result).toMatchObject({ updateId: 'u-9', status: 'InProgress', adopted: true });
  });

  it('waits (retryable error) when a different update holds the cluster', async () => {
    eksMock.on(UpdateClusterVersionCommand).rejects(eksError('ResourceInUseException', 'busy', 409));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['u-cfg'] });
    eksMock
      .on(DescribeUpdateCommand)
      .resolves({ update: { id: 'u-cfg', status: 'InProgress', type: 'LoggingUpdate' } });
    await expect(updateControlPlane(event, deps)).rejects.toMatchObject({
      name: 'UpdateInProgressError',
      message: expect.stringContaining('u-cfg'),
    });
  });

  it('lets other EKS errors through unchanged', async () => {
    eksMock
      .on(UpdateClusterVersionCommand)
      .rejects(eksError('InvalidParameterException', 'unsupported Kubernetes version'));
    await expect(updateControlPlane(event, deps)).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('updateControlPlane in a rollback', () => {
  const rollback = { ...event, targetVersion: '1.18', rollback: { from: '1.19' } };
  beforeEach(() => {
    eksMock.reset();
    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', version: '1.19', status: 'ACTIVE' } });
  });

  it('sends UpdateClusterVersion to the previous minor with a token of its own, reading no insights', async () => {
    eksMock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'rb-1', type: 'VersionRollback' } });
    expect(await updateControlPlane(rollback, deps)).toMatchObject({
      updateId: 'rb-1',
      status: 'InProgress',
      rollback: true,
      target: '1.18',
    });
    const [call] = eksMock.commandCalls(UpdateClusterVersionCommand);
    expect(call?.args[0].input).toMatchObject({ name: 'prod', version: '1.18' });
    expect(call?.args[0].input.clientRequestToken).not.toBe(
      updateRequestToken('run-1', 'cluster/prod', '1.18', undefined),
    );
    expect(eksMock).not.toHaveReceivedCommand(ListInsightsCommand);
  });

  it('adopts a VersionRollback already running, is skipped once back, and refuses a cluster moved elsewhere', async () => {
    eksMock.on(UpdateClusterVersionCommand).rejects(eksError('ResourceInUseException', 'busy'));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['rb-0'] });
    eksMock.on(DescribeUpdateCommand).resolves({
      update: {
        id: 'rb-0',
        type: 'VersionRollback',
        status: 'InProgress',
        params: [{ type: 'Version', value: '1.18' }],
      },
    });
    expect(await updateControlPlane(rollback, deps)).toMatchObject({ updateId: 'rb-0', adopted: true });

    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', version: '1.18', status: 'ACTIVE' } });
    expect(await updateControlPlane(rollback, deps)).toMatchObject({ status: 'Skipped', updateId: null });

    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', version: '1.20', status: 'ACTIVE' } });
    await expect(updateControlPlane(rollback, deps)).rejects.toMatchObject({ name: 'RollbackRefusedError' });
  });
});
