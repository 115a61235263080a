import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ReplaceNodegroupEvent,
  replacementRequest,
  replaceNodegroup,
} from '../../../functions/replace-nodegroup/replace-nodegroup.ts';
import { replacementAmiTypeOf } from '../../../functions/shared/ami-types.ts';
import type { UpdateProgress } from '../../../functions/shared/types.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const now = new Date('2026-11-25T02:00:00Z');
const deps = { eks, now: () => now };
const step = {
  name: 'web-al2',
  toVersion: '1.32',
  releaseVersion: null,
  launchTemplate: null,
  reason: 'replace-al2' as const,
  replacement: { name: 'web-al2-al2023', amiType: 'AL2023_x86_64_STANDARD' },
};
const event: ReplaceNodegroupEvent = {
  clusterName: 'prod',
  executionName: 'run-1',
  nodegroup: step,
  deadline: null,
};

const oldGroup: Nodegroup = {
  nodegroupName: 'web-al2',
  status: 'ACTIVE',
  amiType: 'AL2_x86_64',
  nodeRole: 'arn:aws:iam::123456789012:role/eks-node-role',
  subnets: ['subnet-1', 'subnet-2'],
  scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 },
  instanceTypes: ['m5.large'],
  capacityType: 'SPOT',
  labels: { team: 'web' },
  taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
  tags: { team: 'web', 'aws:cloudformation:stack-name': 'eksctl-prod', 'AWS:Other': 'x' },
  updateConfig: { maxUnavailable: 2 },
  diskSize: 50,
  remoteAccess: { ec2SshKey: 'ops' },
};

function given(old: Nodegroup | undefined, replacement: Nodegroup | undefined) {
  eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'web-al2' }).callsFake(() => {
    if (!old) throw eksError('ResourceNotFoundException', 'No node group found');
    return { nodegroup: old };
  });
  eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'web-al2-al2023' }).callsFake(() => {
    if (!replacement) throw eksError('ResourceNotFoundException', 'No node group found');
    return { nodegroup: replacement };
  });
}

const standing = (overrides: Partial<Nodegroup> = {}): Nodegroup => ({
  nodegroupName: 'web-al2-al2023',
  status: 'ACTIVE',
  scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 },
  tags: { 'eks-upgrade/replaces': 'web-al2' },
  health: { issues: [] },
  ...overrides,
});

beforeEach(() => {
  eksMock.reset();
  eksMock.on(CreateNodegroupCommand).resolves({});
  eksMock.on(DeleteNodegroupCommand).resolves({});
});

describe('replacementRequest', () => {
  it("carries the old group's configuration onto the new AMI type, without AWS's reserved tags", () => {
    const request = replacementRequest(oldGroup, step, event);
    expect(request).toMatchObject({
      clusterName: 'prod',
      nodegroupName: 'web-al2-al2023',
      amiType: 'AL2023_x86_64_STANDARD',
      version: '1.32',
      nodeRole: oldGroup.nodeRole,
      subnets: oldGroup.subnets,
      scalingConfig: oldGroup.scalingConfig,
      instanceTypes: ['m5.large'],
      capacityType: 'SPOT',
      labels: { team: 'web' },
      taints: oldGroup.taints,
      updateConfig: { maxUnavailable: 2 },
      diskSize: 50,
      remoteAccess: { ec2SshKey: 'ops' },
    });
    expect(request.tags).toEqual({ team: 'web', 'eks-upgrade/replaces': 'web-al2' });
    expect(request.clientRequestToken).toBe(replacementRequest(oldGroup, step, event).clientRequestToken);
  });

  it('keeps a launch template, and then sends neither disk size nor remote access (EKS refuses them with one)', () => {
    const templated = { ...oldGroup, launchTemplate: { id: 'lt-0abc', version: '4' } };
    const request = replacementRequest(templated, step, event);
    expect(request.launchTemplate).toEqual({ id: 'lt-0abc', version: '4' });
    expect(request).not.toHaveProperty('diskSize');
    expect(request).not.toHaveProperty('remoteAccess');
  });
});

describe('replacementAmiTypeOf', () => {
  it('gives each AL2 type its AL2023 counterpart, Neuron for Inferentia and Trainium, and refuses another architecture', () => {
    expect(replacementAmiTypeOf('AL2_x86_64')).toBe('AL2023_x86_64_STANDARD');
    expect(replacementAmiTypeOf('AL2_ARM_64')).toBe('AL2023_ARM_64_STANDARD');
    expect(replacementAmiTypeOf('AL2_x86_64_GPU', undefined, ['g5.xlarge'])).toBe('AL2023_x86_64_NVIDIA');
    expect(replacementAmiTypeOf('AL2_x86_64_GPU', undefined, ['inf2.xlarge', 'trn1.2xlarge'])).toBe(
      'AL2023_x86_64_NEURON',
    );
    expect(replacementAmiTypeOf('AL2_ARM_64', 'BOTTLEROCKET_x86_64')).toBeUndefined();
    expect(replacementAmiTypeOf('AL2_x86_64', 'BOTTLEROCKET_x86_64')).toBe('BOTTLEROCKET_x86_64');
  });
});

describe('replaceNodegroup', () => {
  it('creates the replacement once, then waits while it is CREATING', async () => {
    given(oldGroup, undefined);
    const first = await replaceNodegroup(event, deps);
    expect(first).toMatchObject({ status: 'InProgress', note: 'creating web-al2-al2023', polls: 0 });
    expect(first.rollout?.nodes).toBe(3);
    expect(eksMock.commandCalls(CreateNodegroupCommand)).toHaveLength(1);
    given(oldGroup, standing({ status: 'CREATING' }));
    const second = await replaceNodegroup({ ...event, previous: first }, deps);
    expect(second).toMatchObject({ status: 'InProgress', polls: 1 });
    expect(eksMock.commandCalls(CreateNodegroupCommand)).toHaveLength(1);
    expect(eksMock.commandCalls(DeleteNodegroupCommand)).toHaveLength(0);
  });

  it('deletes the old group only once the replacement is ACTIVE, as large and healthy', async () => {
    given(oldGroup, standing());
    const deleting = await replaceNodegroup(event, deps);
    expect(deleting.note).toContain('deleting web-al2');
    expect(eksMock.commandCalls(DeleteNodegroupCommand)).toHaveLength(1);
    given(undefined, standing());
    const done = await replaceNodegroup({ ...event, previous: deleting }, deps);
    expect(done.status).toBe('Successful');
  });

  it.each<[string, Nodegroup, string]>([
    ['CREATE_FAILED', standing({ status: 'CREATE_FAILED' }), 'web-al2 was kept, untouched'],
    [
      'smaller than the old group was',
      standing({ scalingConfig: { minSize: 1, maxSize: 6, desiredSize: 1 } }),
      'fewer than the 3',
    ],
    [
      'reporting a health issue',
      standing({ health: { issues: [{ code: 'AsgInstanceLaunchFailures', message: 'no capacity' }] } }),
      'AsgInstanceLaunchFailures',
    ],
    ['not made by this workflow', standing({ tags: {} }), 'is not a replacement of web-al2'],
  ])('never deletes the old group behind a replacement %s', async (_, replacement, cause) => {
    given(oldGroup, replacement);
    const progress = await replaceNodegroup(event, deps);
    expect(progress.status).toBe('Failed');
    expect(progress.failure).toMatchObject({ error: 'ReplacementFailedError' });
    expect(progress.failure?.cause).toContain(cause);
    expect(eksMock.commandCalls(DeleteNodegroupCommand)).toHaveLength(0);
  });

  it("judges the replacement's size against the old group's when the replacement was made (an autoscaler may grow it since)", async () => {
    const grown = { ...oldGroup, scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 5 } };
    given(grown, standing());
    const previous = {
      rollout: { nodes: 3, batchSize: 1 },
      startedAt: now.toISOString(),
      polls: 4,
    } as UpdateProgress;
    const progress = await replaceNodegroup({ ...event, previous }, deps);
    expect(progress.note).toContain('deleting web-al2');
  });

  it('waits while the replacement is UPDATING, and while the old group is busy', async () => {
    given(oldGroup, standing({ status: 'UPDATING' }));
    expect((await replaceNodegroup(event, deps)).status).toBe('InProgress');
    given(oldGroup, standing());
    eksMock.on(DeleteNodegroupCommand).rejects(eksError('ResourceInUseException', 'update in progress'));
    const busy = await replaceNodegroup(event, deps);
    expect(busy).toMatchObject({
      status: 'InProgress',
      note: 'web-al2 is busy; it is deleted once that ends',
    });
  });

  it('defers a replacement that cannot end before the deadline, creating nothing', async () => {
    given(oldGroup, undefined);
    const late = await replaceNodegroup({ ...event, deadline: '2026-11-25T02:10:00Z' }, deps);
    expect(late.status).toBe('Deferred');
    expect(eksMock.commandCalls(CreateNodegroupCommand)).toHaveLength(0);
  });
});
