import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
  UpdateAddonCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { updateRequestToken } from '../../../functions/shared/tokens.ts';
import { updateAddon } from '../../../functions/update-addon/update-addon.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const now = new Date('2026-11-25T02:00:00Z');
const deps = { eks, now: () => now };
const event = {
  clusterName: 'prod',
  executionName: 'run-1',
  addon: { name: 'vpc-cni', from: 'v1.11.4-eksbuild.1', to: 'v1.12.6-eksbuild.2', clusterVersion: '1.27' },
  deadline: null,
};

describe('updateAddon', () => {
  beforeEach(() => {
    eksMock.reset();
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.11.4-eksbuild.1', status: 'ACTIVE' } });
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { version: '1.27' } });
  });

  it('plans the step again for the version the control plane is on when someone moved it', async () => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { version: '1.28' } });
    eksMock.on(DescribeAddonVersionsCommand, { addonName: 'vpc-cni', kubernetesVersion: '1.28' }).resolves({
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: ['v1.12.6-eksbuild.2', 'v1.13.4-eksbuild.1'].map((addonVersion) => ({
            addonVersion,
            compatibilities: [
              { clusterVersion: '1.28', defaultVersion: addonVersion === 'v1.13.4-eksbuild.1' },
            ],
          })),
        },
      ],
    });
    eksMock.on(UpdateAddonCommand).resolves({ update: { id: 'a-2', status: 'InProgress' } });
    // vpc-cni still moves one minor at a time, toward 1.28's default.
    expect(await updateAddon(event, deps)).toMatchObject({ target: 'v1.12.6-eksbuild.2', updateId: 'a-2' });
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.13.4-eksbuild.1', status: 'ACTIVE' } });
    expect(
      await updateAddon({ ...event, addon: { ...event.addon, to: 'v1.14.1-eksbuild.1' } }, deps),
    ).toMatchObject({
      status: 'Skipped',
      note: expect.stringContaining('the control plane is on 1.28, not 1.27 as planned'),
    });
  });

  it("moves the add-on and keeps the user's configuration", async () => {
    eksMock.on(UpdateAddonCommand).resolves({ update: { id: 'a-1', status: 'InProgress' } });
    expect(await updateAddon(event, deps)).toMatchObject({
      kind: 'addon',
      addonName: 'vpc-cni',
      updateId: 'a-1',
    });
    expect(eksMock).toHaveReceivedCommandWith(UpdateAddonCommand, {
      clusterName: 'prod',
      addonName: 'vpc-cni',
      addonVersion: 'v1.12.6-eksbuild.2',
      resolveConflicts: 'PRESERVE',
      clientRequestToken: updateRequestToken('run-1', 'addon/prod/vpc-cni', 'v1.12.6-eksbuild.2'),
    });
  });

  it('skips an add-on already on the planned version', async () => {
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.12.6-eksbuild.2', status: 'ACTIVE' } });
    expect(await updateAddon(event, deps)).toMatchObject({ status: 'Skipped' });
    expect(eksMock).not.toHaveReceivedCommand(UpdateAddonCommand);
  });

  it('adopts the same add-on update already running', async () => {
    eksMock.on(UpdateAddonCommand).rejects(eksError('ResourceInUseException', 'busy', 409));
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['a-0'] });
    eksMock.on(DescribeUpdateCommand).resolves({
      update: {
        id: 'a-0',
        status: 'InProgress',
        type: 'AddonUpdate',
        params: [{ type: 'AddonVersion', value: 'v1.12.6-eksbuild.2' }],
      },
    });
    expect(await updateAddon(event, deps)).toMatchObject({ updateId: 'a-0', adopted: true });
    expect(eksMock).toHaveReceivedCommandWith(ListUpdatesCommand, { name: 'prod', addonName: 'vpc-cni' });
  });
});
