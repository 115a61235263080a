import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  UpdateNodegroupVersionCommand,
  type UpdateNodegroupVersionCommandInput,
} from '@aws-sdk/client-eks';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, publishRelease } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const clusterName = 'refresh-cluster'; // ami-refresh: everything on 1.32
const al2023 = '/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/standard/recommended';
const al2 = '/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function parameter(name: string) {
  const { Parameter } = await rig.ssm.send(new GetParameterCommand({ Name: name }));
  return Parameter;
}

async function describeNodegroup(nodegroupName: string) {
  const { nodegroup } = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  return nodegroup;
}

function updateNodegroup(nodegroupName: string, input: Partial<UpdateNodegroupVersionCommandInput> = {}) {
  return rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName, ...input }));
}

describe('AMI releases (ami-refresh)', () => {
  it('starts with two node groups behind the recommended release and one on it', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    expect((await parameter(`${al2023}/release_version`))?.Value).toBe('1.32.11-20261104');
    expect((await parameter(`${al2}/release_version`))?.Value).toBe('1.32.9-20251108');
    const groups = await Promise.all(['system', 'apps', 'legacy-al2'].map(describeNodegroup));
    expect(groups.map((g) => [g?.nodegroupName, g?.amiType, g?.version, g?.releaseVersion])).toEqual([
      ['system', 'AL2023_x86_64_STANDARD', '1.32', '1.32.11-20261104'],
      ['apps', 'AL2023_x86_64_STANDARD', '1.32', '1.32.9-20251108'],
      ['legacy-al2', 'AL2_x86_64', '1.32', '1.32.0-20250203'],
    ]);
  });

  it('without releaseVersion, uses the recommended release of the AMI type: the one SSM returns', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    for (const [nodegroupName, path] of [
      ['apps', al2023],
      ['legacy-al2', al2],
    ] as const) {
      const recommended = (await parameter(`${path}/release_version`))?.Value;
      const { update } = await updateNodegroup(nodegroupName, { version: '1.32' });
      expect(update?.params).toEqual([
        { type: 'Version', value: '1.32' },
        { type: 'ReleaseVersion', value: recommended },
      ]);
    }
    rig.advanceMinutes(60);
    expect((await describeNodegroup('apps'))?.releaseVersion).toBe('1.32.11-20261104');
    expect((await describeNodegroup('legacy-al2'))?.releaseVersion).toBe('1.32.9-20251108');
  });

  it('takes an explicit release of the node group version and AMI type, even if not the newest', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const { update } = await updateNodegroup('apps', { releaseVersion: '1.32.11-20261021' });
    expect(update?.params).toEqual([
      { type: 'Version', value: '1.32' },
      { type: 'ReleaseVersion', value: '1.32.11-20261021' },
    ]);
    rig.advanceMinutes(60);
    const { update: done } = await rig.eks.send(
      new DescribeUpdateCommand({ name: clusterName, updateId: update?.id, nodegroupName: 'apps' }),
    );
    expect(done?.status).toBe('Successful');
    expect((await describeNodegroup('apps'))?.releaseVersion).toBe('1.32.11-20261021');
  });

  it.each([
    [
      'legacy-al2',
      '1.32.11-20261104',
      'Requested release version 1.32.11-20261104 is not valid for kubernetes version 1.32. It is a release of AMI type AL2023_x86_64_STANDARD, and nodegroup legacy-al2 runs AL2_x86_64.',
    ],
    [
      'apps',
      '1.31.13-20251108',
      'Requested release version 1.31.13-20251108 is not valid for kubernetes version 1.32.',
    ],
    [
      'apps',
      '1.32.12-20261126',
      'Requested release version 1.32.12-20261126 is not valid for kubernetes version 1.32.',
    ],
    [
      'system',
      '1.32.11-20261104',
      'Nodegroup system is already at version 1.32 with release version 1.32.11-20261104',
    ],
    [
      'system',
      '1.32.9-20251108',
      'Cannot downgrade nodegroup system from release version 1.32.11-20261104 to 1.32.9-20251108',
    ],
  ])('refuses %s with release %s', async (nodegroupName, releaseVersion, message) => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const error = await rejectionOf(updateNodegroup(nodegroupName, { releaseVersion }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it('publishes AL2023 1.32.12-20261126 one simulated day in: SSM and the default release follow', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const before = await rejectionOf(updateNodegroup('system'));
    expect(before.message).toContain('is already at version 1.32 with release version 1.32.11-20261104');

    rig.advanceMinutes(24 * 60);
    const published = await parameter(`${al2023}/release_version`);
    expect(published).toMatchObject({ Value: '1.32.12-20261126', Version: 5 });
    expect(published?.LastModifiedDate).toEqual(new Date(rig.start + 86_400_000));
    expect((await parameter(`${al2}/release_version`))?.Value).toBe('1.32.9-20251108');
    const { update } = await updateNodegroup('system');
    expect(update?.params).toContainEqual({ type: 'ReleaseVersion', value: '1.32.12-20261126' });
  });

  it('publishRelease adds a timed release to any scenario', async () => {
    const scenario = publishRelease(loadScenario('seed'), {
      amiType: 'AL2_x86_64',
      version: '1.18',
      releaseVersion: '1.18.20-20261201',
      atSecond: 3600,
    });
    rig = await startRig({ scenario });
    const name = '/aws/service/eks/optimized-ami/1.18/amazon-linux-2/recommended/release_version';
    expect((await parameter(name))?.Value).toBe('1.18.20-20211013');
    rig.advanceMinutes(60);
    expect((await parameter(name))?.Value).toBe('1.18.20-20261201');
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: 'ekscluster-eksctl',
        nodegroupName: 'managednodegroup',
      }),
    );
    expect(update?.params).toContainEqual({ type: 'ReleaseVersion', value: '1.18.20-20261201' });
    expect(() =>
      publishRelease(loadScenario('seed'), {
        amiType: 'AL2_x86_64',
        version: '1.18',
        releaseVersion: '1.19.1-20261201',
        atSecond: 0,
      }),
    ).toThrow(/release 1\.19\.1-20261201 does not belong to 1\.18/);
  });
});

describe('node group on a custom AMI (launch template)', () => {
  it('reports the AMI id as its release version and its launch template version', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    expect(await describeNodegroup('gpu-custom')).toMatchObject({
      amiType: 'CUSTOM',
      version: '1.32',
      releaseVersion: 'ami-0abc1234def567890',
      launchTemplate: { name: 'gpu-nodes', id: 'lt-0c0ffee1234567890', version: '7' },
    });
  });

  it('rolls out a new launch template version given only launchTemplate {name, version}', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const { update } = await updateNodegroup('gpu-custom', {
      launchTemplate: { name: 'gpu-nodes', version: '8' },
    });
    expect(update).toMatchObject({
      type: 'VersionUpdate',
      status: 'InProgress',
      params: [
        { type: 'LaunchTemplateName', value: 'gpu-nodes' },
        { type: 'LaunchTemplateVersion', value: '8' },
      ],
    });
    expect((await describeNodegroup('gpu-custom'))?.status).toBe('UPDATING');
    rig.advanceMinutes(13); // 2 nodes: setup 1 + launch 4 + 2 × (evict 2 + terminate 1) + scale down 2
    const { update: done } = await rig.eks.send(
      new DescribeUpdateCommand({ name: clusterName, updateId: update?.id, nodegroupName: 'gpu-custom' }),
    );
    expect(done?.status).toBe('Successful');
    expect(await describeNodegroup('gpu-custom')).toMatchObject({
      status: 'ACTIVE',
      version: '1.32',
      releaseVersion: 'ami-0def5678abc123456',
      launchTemplate: { name: 'gpu-nodes', id: 'lt-0c0ffee1234567890', version: '8' },
    });
    expect(rig.simulator.snapshot().clusters[0]?.nodegroups[3]).toMatchObject({
      amiType: 'CUSTOM',
      customLaunchTemplate: { version: 8 },
      instancesReplaced: 2,
    });
  });

  it('accepts the launch template by id', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const { update } = await updateNodegroup('gpu-custom', {
      launchTemplate: { id: 'lt-0c0ffee1234567890', version: '8' },
    });
    expect(update?.status).toBe('InProgress');
  });

  it.each([
    [
      { releaseVersion: '1.32.11-20261104', launchTemplate: { name: 'gpu-nodes', version: '8' } },
      'without version or releaseVersion',
    ],
    [
      { version: '1.32', launchTemplate: { name: 'gpu-nodes', version: '8' } },
      'without version or releaseVersion',
    ],
    [{}, 'specify launchTemplate with the version of gpu-nodes to roll out'],
    [
      { launchTemplate: { name: 'gpu-nodes', version: '7' } },
      'is already at version 7 of launch template gpu-nodes',
    ],
    [{ launchTemplate: { name: 'gpu-nodes', version: '9' } }, 'Launch template gpu-nodes has no version 9'],
    [{ launchTemplate: { name: 'gpu-nodes', version: '$Latest' } }, 'specify a version number'],
    [{ launchTemplate: { name: 'other-nodes', version: '8' } }, 'does not match the launch template'],
  ])('refuses %o', async (input, message) => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const error = await rejectionOf(updateNodegroup('gpu-custom', input));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain(message);
  });
});
