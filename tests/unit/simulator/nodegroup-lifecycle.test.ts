import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateNodegroupCommand,
  type CreateNodegroupCommandInput,
  DeleteNodegroupCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListNodegroupsCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

const clusterName = 'ekscluster-eksctl';
const nodeRole = 'arn:aws:iam::123456789012:role/eks-new-node-role';

async function clusterSubnets(name = clusterName): Promise<string[]> {
  const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name }));
  return cluster?.resourcesVpcConfig?.subnetIds ?? [];
}

async function createInput(
  overrides: Partial<CreateNodegroupCommandInput> = {},
): Promise<CreateNodegroupCommandInput> {
  return {
    clusterName,
    nodegroupName: 'replacement',
    subnets: await clusterSubnets(overrides.clusterName ?? clusterName),
    nodeRole,
    scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 2 },
    ...overrides,
  };
}

async function instancesOf(asgName: string | undefined) {
  const { AutoScalingGroups = [] } = await rig.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: asgName ? [asgName] : [] }),
  );
  return AutoScalingGroups[0];
}

describe('CreateNodegroup', () => {
  it('creates a CREATING group whose Auto Scaling group launches the nodes, ACTIVE once they have joined', async () => {
    rig = await startRig();
    const { nodegroup } = await rig.eks.send(
      new CreateNodegroupCommand(
        await createInput({
          labels: { role: 'apps' },
          taints: [{ key: 'dedicated', effect: 'NO_SCHEDULE' }],
        }),
      ),
    );
    expect(nodegroup).toMatchObject({
      nodegroupName: 'replacement',
      status: 'CREATING',
      version: '1.18',
      amiType: 'AL2_x86_64',
      releaseVersion: '1.18.20-20211013',
      nodeRole,
      scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 2 },
      instanceTypes: ['t3.medium'],
      labels: { role: 'apps' },
      taints: [{ key: 'dedicated', effect: 'NO_SCHEDULE' }],
      diskSize: 20,
      nodegroupArn: expect.stringMatching(
        /^arn:aws:eks:us-east-1:123456789012:nodegroup\/ekscluster-eksctl\/replacement\/[0-9a-f-]{36}$/,
      ),
    });
    const asgName = nodegroup?.resources?.autoScalingGroups?.[0]?.name;
    const launching = await instancesOf(asgName);
    expect(launching).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2 });
    expect(launching?.Instances?.map((i) => i.LifecycleState)).toEqual(['Pending', 'Pending']);

    rig.advanceMinutes(5);
    const { nodegroup: created } = await rig.eks.send(
      new DescribeNodegroupCommand({ clusterName, nodegroupName: 'replacement' }),
    );
    expect(created?.status).toBe('ACTIVE');
    expect((await instancesOf(asgName))?.Instances?.map((i) => i.LifecycleState)).toEqual([
      'InService',
      'InService',
    ]);
    const { nodegroups } = await rig.eks.send(new ListNodegroupsCommand({ clusterName }));
    expect(nodegroups).toEqual(['managednodegroup', 'replacement']);
  });

  it('returns the same node group for a repeated clientRequestToken', async () => {
    rig = await startRig();
    const input = await createInput({ clientRequestToken: 'create-replacement-1' });
    const first = await rig.eks.send(new CreateNodegroupCommand(input));
    const second = await rig.eks.send(new CreateNodegroupCommand(input));
    expect(second.nodegroup?.nodegroupArn).toBe(first.nodegroup?.nodegroupArn);
    expect(rig.simulator.snapshot().clusters[0]?.nodegroups.map((ng) => ng.name)).toEqual([
      'managednodegroup',
      'replacement',
    ]);
  });

  it('refuses a name that exists with ResourceInUseException (409)', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new CreateNodegroupCommand(await createInput({ nodegroupName: 'managednodegroup' }))),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toBe(
      'NodeGroup already exists with name managednodegroup and cluster name ekscluster-eksctl',
    );
  });

  it('refuses while the control plane is updating with InvalidRequestException', async () => {
    rig = await startRig();
    const input = await createInput();
    await rig.eks.send(new UpdateClusterVersionCommand({ name: clusterName, version: '1.19' }));
    const error = await rejectionOf(rig.eks.send(new CreateNodegroupCommand(input)));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe("Cluster 'ekscluster-eksctl' is not in ACTIVE status");
  });

  it('refuses an AL2 group once the cluster is on 1.33, and creates an AL2023 one', async () => {
    rig = await startRig({ scenario: 'ami-refresh' });
    const name = 'refresh-cluster';
    await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.33' }));
    rig.advanceMinutes(25);
    const input = await createInput({ clusterName: name, nodegroupName: 'al2023' });
    const error = await rejectionOf(
      rig.eks.send(new CreateNodegroupCommand({ ...input, amiType: 'AL2_x86_64' })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(
      'AMI Type AL2_x86_64 is only supported for kubernetes versions 1.32 or earlier',
    );
    const { nodegroup } = await rig.eks.send(new CreateNodegroupCommand(input));
    expect(nodegroup).toMatchObject({ amiType: 'AL2023_x86_64_STANDARD', version: '1.33' });
  });

  it("refuses any version but the cluster's, older ones within the skew too", async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const input = await createInput({ clusterName: 'legacy-cluster', version: '1.23' });
    const error = await rejectionOf(rig.eks.send(new CreateNodegroupCommand(input)));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('cluster legacy-cluster runs 1.24, the only version');
    const { version: _, ...atClusterVersion } = input;
    const { nodegroup } = await rig.eks.send(new CreateNodegroupCommand(atClusterVersion));
    expect(nodegroup?.version).toBe('1.24');
  });

  it.each([
    [{ version: '1.19' }, 'cluster ekscluster-eksctl runs 1.18, the only version'],
    [
      { releaseVersion: '1.19.15-20211013' },
      'Requested release version 1.19.15-20211013 is not valid for kubernetes version 1.18',
    ],
    [{ scalingConfig: { desiredSize: 2 } }, 'specify all of minSize, maxSize and desiredSize'],
    [
      { scalingConfig: { minSize: 3, maxSize: 4, desiredSize: 2 } },
      "Minimum capacity 3 can't be greater than desired size 2",
    ],
    [
      { scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 3 } },
      "Desired capacity 3 can't be greater than max size 2",
    ],
    [{ subnets: ['subnet-0123456789abcdef0'] }, 'are not subnets of the VPC'],
    [{ nodeRole: 'eks-node-role' }, 'is not a valid IAM role ARN'],
    [{ updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 10 } }, 'not both'],
    [{ updateConfig: { maxUnavailablePercentage: 0 } }, 'maxUnavailablePercentage must be between 1 and 100'],
    [
      { launchTemplate: { name: 'nodes', version: '1' }, diskSize: 50 },
      'Disk size must be specified within the launch template',
    ],
    [{ amiType: 'CUSTOM' }, 'needs a launchTemplate'],
    [{ tags: { 'AWS:CloudFormation:stack-name': 'x' } }, 'reserved prefix aws:'],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'x'])) }, 'at most 50'],
  ] satisfies Array<[Partial<CreateNodegroupCommandInput>, string]>)(
    'refuses %o with InvalidParameterException',
    async (overrides, message) => {
      rig = await startRig();
      const error = await rejectionOf(rig.eks.send(new CreateNodegroupCommand(await createInput(overrides))));
      expect(error.name).toBe('InvalidParameterException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toContain(message);
    },
  );
});

describe('DeleteNodegroup', () => {
  it('drains and terminates the nodes, then the group and its Auto Scaling group are gone', async () => {
    rig = await startRig();
    const { nodegroup } = await rig.eks.send(
      new DeleteNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' }),
    );
    expect(nodegroup?.status).toBe('DELETING');
    const asgName = nodegroup?.resources?.autoScalingGroups?.[0]?.name;
    expect(await instancesOf(asgName)).toMatchObject({ MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });

    rig.advanceMinutes(2); // drained: the nodes are terminating
    expect((await instancesOf(asgName))?.Instances?.map((i) => i.LifecycleState)).toEqual([
      'Terminating',
      'Terminating',
      'Terminating',
    ]);
    rig.advanceMinutes(1);
    const error = await rejectionOf(
      rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(await instancesOf(asgName)).toBeUndefined();
  });

  it('terminates nodes a pod disruption budget holds once the 5-minute drain limit is up', async () => {
    rig = await startRig({ faults: ['pdb-blocked'] });
    await rig.eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' }));
    rig.advanceMinutes(4);
    expect(
      rig.simulator.snapshot().clusters[0]?.nodegroups[0]?.instances.map((i) => i.lifecycleState),
    ).toEqual(['InService', 'InService', 'InService']);
    rig.advanceMinutes(2); // 5 minutes of drain + 1 of termination
    expect(rig.simulator.snapshot().clusters[0]?.nodegroups).toEqual([]);
  });

  it('refuses while the group has an update in progress with ResourceInUseException', async () => {
    rig = await startRig();
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName, nodegroupName: 'managednodegroup' }),
    );
    const error = await rejectionOf(
      rig.eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toContain(`update ${update?.id} in progress`);
  });

  it('lets no version update start on a group being deleted', async () => {
    rig = await startRig();
    await rig.eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' }));
    const error = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName: 'managednodegroup' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toBe('Nodegroup cannot be updated as it is currently not in Active State');
  });

  it('is logged as a mutating call, as CreateNodegroup is', async () => {
    rig = await startRig();
    await rig.eks.send(new CreateNodegroupCommand(await createInput()));
    await rig.eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: 'managednodegroup' }));
    await rig.eks.send(new ListNodegroupsCommand({ clusterName }));
    expect(
      rig.simulator.requestLog
        .map((r) => [r.operation, r.mutating])
        .filter(([op]) => op !== 'DescribeCluster'),
    ).toEqual([
      ['CreateNodegroup', true],
      ['DeleteNodegroup', true],
      ['ListNodegroups', false],
    ]);
  });
});
