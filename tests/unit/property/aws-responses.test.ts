import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import {
  type Addon,
  type Cluster,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  EKSServiceException,
  type ErrorCode,
  ListUpdatesCommand,
  type Nodegroup,
  type Update,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkUpdate } from '../../../functions/check-update/check-update.ts';
import { workflowErrorNames } from '../../../functions/shared/errors.ts';
import type { NodegroupStep, UpdateProgress, UpgradePlan } from '../../../functions/shared/types.ts';
import { updateNodegroup } from '../../../functions/update-nodegroup/update-nodegroup.ts';
import { verifyCluster } from '../../../functions/verify-cluster/verify-cluster.ts';
import { seedPlan } from '../fixtures.ts';

// Random and malformed AWS answers (fields missing, unknown status strings, empty or odd arrays, AWS
// errors) into the steps that read them. Each either returns a well-formed result or throws a named
// error: a workflow error, or the AWS error it was given. Never a TypeError, never a bare Error.
// The answers keep the SDK's types (strings, numbers, Dates, arrays), as its deserializer guarantees.
// Cases per property (numRuns): checkUpdate 400, verifyCluster 300, updateNodegroup 400.
// The arbitraries are cast to the SDK's types because their enum fields carry strings outside the enums.

const eksMock = mockClient(EKSClient);
const asgMock = mockClient(AutoScalingClient);
const eks = new EKSClient({ region: 'us-east-1' });
const autoScaling = new AutoScalingClient({ region: 'us-east-1' });
const now = new Date('2026-11-25T03:00:00Z');
const namedErrors: ReadonlySet<string> = new Set(workflowErrorNames);

// AWS errors a call may fail with; the step must let each through by name (the state machine routes them).
const awsErrorNames = [
  'ResourceNotFoundException',
  'ResourceInUseException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ThrottlingException',
  'ServerException',
  'ServiceUnavailableException',
  'AccessDeniedException',
] as const;

function awsError(name: string): EKSServiceException {
  return new EKSServiceException({
    name,
    message: `${name} (simulated)`,
    $fault: name.startsWith('Serv') ? 'server' : 'client',
    $metadata: { httpStatusCode: name.startsWith('Serv') ? 500 : 400 },
  });
}

/** Text as AWS might send it: usual values, empty, odd, long, unicode. */
const text = (usual: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...usual) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', '\n', 'ÄCTIVE', '1.', 'v1.30') },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const validDate = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2030-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const strings = (usual: readonly string[]) => fc.array(text(usual), { maxLength: 4 });

const health = maybe(
  fc.record(
    {
      issues: maybe(
        fc.array(
          fc.record(
            {
              code: maybe(text(['Ec2SubnetNotFound', 'AsgInstanceLaunchFailures'])),
              message: maybe(fc.string()),
              resourceIds: maybe(strings(['i-0abc'])),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

const update: fc.Arbitrary<Update> = fc.record(
  {
    id: text(['u-1', 'u-2']),
    status: text(['InProgress', 'Successful', 'Failed', 'Cancelled']),
    type: text(['VersionUpdate', 'AddonUpdate', 'ConfigUpdate']),
    params: fc.array(
      fc.record(
        {
          type: maybe(text(['Version', 'AddonVersion', 'ReleaseVersion'])),
          value: maybe(text(['1.30', 'v1.19.2-eksbuild.5'])),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
    createdAt: validDate,
    errors: fc.array(
      fc.record(
        {
          errorCode: text(['PodEvictionFailure', 'NodeCreationFailure', 'ConfigurationConflict', 'Unknown']),
          errorMessage: fc.string(),
          resourceIds: strings(['i-0abc', 'ng-a']),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Update>;

const cluster: fc.Arbitrary<Cluster> = fc.record(
  {
    name: text(['prod']),
    version: text(['1.30', '1.29', '1.31']),
    status: text(['ACTIVE', 'UPDATING', 'DELETING', 'FAILED', 'CREATING', 'PENDING']),
    health,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Cluster>;

const nodegroup: fc.Arbitrary<Nodegroup> = fc.record(
  {
    nodegroupName: text(['ng-a']),
    version: text(['1.30', '1.29', '1.31']),
    releaseVersion: text(['1.30.14-20251108', '1.29.15-20251108', 'ami-0abc1234def567890']),
    status: text(['ACTIVE', 'UPDATING', 'DEGRADED', 'DELETING', 'CREATE_FAILED']),
    amiType: text(['AL2_x86_64', 'AL2023_x86_64_STANDARD', 'CUSTOM']),
    scalingConfig: fc.record(
      {
        desiredSize: fc.integer({ min: -3, max: 500 }),
        minSize: fc.integer({ min: -3, max: 10 }),
        maxSize: fc.integer({ min: 0, max: 500 }),
      },
      { requiredKeys: [] },
    ),
    launchTemplate: fc.record(
      { id: text(['lt-0abc']), name: text(['gpu-nodes']), version: text(['7', '8', '$Latest']) },
      { requiredKeys: [] },
    ),
    resources: fc.record(
      {
        autoScalingGroups: fc.array(fc.record({ name: maybe(text(['eks-ng-a-1'])) }, { requiredKeys: [] }), {
          maxLength: 3,
        }),
      },
      { requiredKeys: [] },
    ),
    health,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Nodegroup>;

const addon: fc.Arbitrary<Addon> = fc.record(
  {
    addonName: text(['vpc-cni']),
    addonVersion: text(['v1.19.2-eksbuild.5', 'v1.18.6-eksbuild.1']),
    status: text(['ACTIVE', 'UPDATING', 'DEGRADED', 'UPDATE_FAILED']),
    health,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Addon>;

const autoScalingGroup: fc.Arbitrary<AutoScalingGroup> = fc.record(
  {
    AutoScalingGroupName: text(['eks-ng-a-1']),
    LaunchTemplate: maybe(
      fc.record(
        { LaunchTemplateId: maybe(text(['lt-0abc'])), Version: maybe(text(['2', '3', '$Latest'])) },
        { requiredKeys: [] },
      ),
    ),
    Instances: maybe(
      fc.array(
        fc.record(
          {
            InstanceId: maybe(text(['i-0abc'])),
            LifecycleState: maybe(
              text(['InService', 'Pending', 'Terminating', 'Terminated', 'Terminating:Wait', 'Standby']),
            ),
            LaunchTemplate: maybe(fc.record({ Version: maybe(text(['2', '3'])) }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 6 },
      ),
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<AutoScalingGroup>;

/** An answer: usually the output, sometimes the output with its top-level object missing, sometimes an AWS error. */
function answer<T>(body: fc.Arbitrary<T>, busyWeight = 0): fc.Arbitrary<Answer<T>> {
  return fc.oneof(
    { weight: 6, arbitrary: body.map((value): Answer<T> => ({ ok: true, value })) },
    { weight: 1, arbitrary: fc.constant<Answer<T>>({ ok: true, value: undefined }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...awsErrorNames).map((name): Answer<T> => ({ ok: false, name })),
    },
    { weight: busyWeight, arbitrary: fc.constant<Answer<T>>({ ok: false, name: 'ResourceInUseException' }) },
  );
}
type Answer<T> = { ok: true; value: T | undefined } | { ok: false; name: string };

function given<T>(reply: Answer<T>, wrap: (value: T | undefined) => object): Promise<object> {
  return reply.ok ? Promise.resolve(wrap(reply.value)) : Promise.reject(awsError(reply.name));
}

/** A thrown error the workflow can route: a workflow error, or one of the AWS errors the mocks threw. */
function expectNamed(error: unknown, context: string): void {
  expect(error, context).toBeInstanceOf(Error);
  const name = error instanceof Error ? error.name : String(error);
  expect([...namedErrors, ...awsErrorNames], `${name}: ${String(error)} (${context})`).toContain(name);
  expect(error instanceof Error && error.message.length > 0, context).toBe(true);
}

function expectWellFormedProgress(result: UpdateProgress, event: UpdateProgress | undefined): void {
  expect(['InProgress', 'Successful', 'Failed', 'Cancelled', 'Skipped', 'Deferred']).toContain(result.status);
  expect(Number.isInteger(result.nextWaitSeconds)).toBe(true);
  expect(Number.isFinite(result.expectedSeconds) && result.expectedSeconds > 0).toBe(true);
  if (result.status === 'InProgress') {
    expect(result.nextWaitSeconds).toBeGreaterThanOrEqual(10);
    expect(result.nextWaitSeconds).toBeLessThanOrEqual(300);
    expect(typeof result.updateId === 'string' && result.updateId.length > 0).toBe(true);
  } else {
    expect(result.nextWaitSeconds).toBe(0);
  }
  if (result.status === 'Failed' || result.status === 'Cancelled') {
    // The failure becomes the Fail state's Error and Cause: both must say something.
    expect(result.failure?.error, 'failure.error').toMatch(/\S/);
    expect(result.failure?.cause, 'failure.cause').toMatch(/\S/);
  } else {
    expect(result.failure).toBeUndefined();
  }
  if (result.progress) {
    expect(Number.isInteger(result.progress.updated) && Number.isInteger(result.progress.total)).toBe(true);
    expect(result.progress.updated).toBeGreaterThanOrEqual(0);
    expect(result.progress.updated).toBeLessThanOrEqual(result.progress.total);
  }
  if (event) {
    expect(result).toMatchObject({
      kind: event.kind,
      clusterName: event.clusterName,
      updateId: event.updateId,
      target: event.target,
    });
  }
}

const progressEvent: fc.Arbitrary<UpdateProgress> = fc.constantFrom('controlPlane', 'nodegroup', 'addon').map(
  (kind): UpdateProgress => ({
    kind: kind as UpdateProgress['kind'],
    clusterName: 'prod',
    ...(kind === 'nodegroup' ? { nodegroupName: 'ng-a' } : {}),
    ...(kind === 'addon' ? { addonName: 'vpc-cni' } : {}),
    target: kind === 'addon' ? 'v1.19.2-eksbuild.5' : '1.30',
    updateId: 'u-1',
    status: 'InProgress',
    adopted: false,
    expectedSeconds: kind === 'controlPlane' ? 1500 : 780,
    nextWaitSeconds: 300,
    startedAt: null,
    finishedAt: null,
    polls: 0,
  }),
);

const controlPlaneEvent: UpdateProgress = {
  kind: 'controlPlane',
  clusterName: 'prod',
  target: '1.30',
  updateId: 'u-1',
  status: 'InProgress',
  adopted: false,
  startedAt: null,
  finishedAt: null,
  polls: 0,
  expectedSeconds: 1500,
  nextWaitSeconds: 300,
};

describe('steps reading random and malformed AWS answers', () => {
  beforeEach(() => {
    eksMock.reset();
    asgMock.reset();
  });

  it('checkUpdate returns a well-formed progress or a named error (400 cases)', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        progressEvent,
        answer(update),
        answer(cluster),
        answer(nodegroup),
        answer(addon),
        answer(fc.array(autoScalingGroup, { maxLength: 3 })),
        async (event, updateReply, clusterReply, nodegroupReply, addonReply, groupsReply) => {
          eksMock.reset();
          asgMock.reset();
          eksMock
            .on(DescribeUpdateCommand)
            .callsFake(() => given(updateReply, (value) => ({ update: value })));
          eksMock
            .on(DescribeClusterCommand)
            .callsFake(() => given(clusterReply, (value) => ({ cluster: value })));
          eksMock
            .on(DescribeNodegroupCommand)
            .callsFake(() => given(nodegroupReply, (value) => ({ nodegroup: value })));
          eksMock.on(DescribeAddonCommand).callsFake(() => given(addonReply, (value) => ({ addon: value })));
          asgMock
            .on(DescribeAutoScalingGroupsCommand)
            .callsFake(() =>
              given(
                groupsReply,
                (value): Partial<DescribeAutoScalingGroupsCommandOutput> =>
                  value ? { AutoScalingGroups: value } : {},
              ),
            );
          let result: UpdateProgress;
          try {
            result = await checkUpdate(event, { eks, autoScaling, now: () => now });
          } catch (error) {
            expectNamed(error, 'checkUpdate');
            seen.add('thrown');
            return;
          }
          seen.add(result.status);
          expectWellFormedProgress(result, event);
          expect(result.status).not.toBe('Skipped');
        },
      ),
      {
        numRuns: 400,
        // PRODUCT BUG (reported), found by this property: an update that ends with a blank errorCode
        // gives the Fail state an empty Error (describeFailure keeps '' instead of falling back).
        examples: [
          [
            controlPlaneEvent,
            // The SDK types errorCode as its enum; the wire can carry any string.
            { ok: true, value: { status: 'Failed', errors: [{ errorCode: '' as ErrorCode }] } },
            { ok: true, value: {} },
            { ok: true, value: {} },
            { ok: true, value: undefined },
            { ok: true, value: [] },
          ],
          // A finished update on an ACTIVE cluster (rare among random answers): the Successful branch.
          [
            controlPlaneEvent,
            { ok: true, value: { id: 'u-1', status: 'Successful', createdAt: now } },
            { ok: true, value: { status: 'ACTIVE' } },
            { ok: true, value: {} },
            { ok: true, value: undefined },
            { ok: true, value: [] },
          ],
        ],
      },
    );
    // Not vacuous: every outcome came up.
    expect([...seen].sort()).toEqual(['Cancelled', 'Failed', 'InProgress', 'Successful', 'thrown']);
  });

  it('verifyCluster passes only a cluster that matches the plan, else names what differs (300 cases)', async () => {
    let passed = 0;
    const plan: UpgradePlan = {
      ...seedPlan,
      clusterName: 'prod',
      targetVersion: '1.30',
      expected: {
        nodegroups: [
          { name: 'ng-a', version: '1.30', releaseVersion: '1.30.14-20251108' },
          { name: 'ng-custom', version: null, releaseVersion: null },
        ],
        addons: [{ name: 'vpc-cni', version: 'v1.19.2-eksbuild.5' }],
      },
    };
    await fc.assert(
      fc.asyncProperty(
        answer(cluster),
        answer(nodegroup),
        answer(nodegroup),
        answer(addon),
        async (clusterReply, first, second, addonReply) => {
          eksMock.reset();
          eksMock
            .on(DescribeClusterCommand)
            .callsFake(() => given(clusterReply, (value) => ({ cluster: value })));
          eksMock
            .on(DescribeNodegroupCommand, { nodegroupName: 'ng-a' })
            .callsFake(() => given(first, (value) => ({ nodegroup: value })));
          eksMock
            .on(DescribeNodegroupCommand, { nodegroupName: 'ng-custom' })
            .callsFake(() => given(second, (value) => ({ nodegroup: value })));
          eksMock.on(DescribeAddonCommand).callsFake(() => given(addonReply, (value) => ({ addon: value })));
          try {
            const verification = await verifyCluster(plan, { eks });
            passed += 1;
            expect(verification.version).toBe('1.30');
            expect(verification.nodegroups.map((ng) => ng.status)).toEqual(['ACTIVE', 'ACTIVE']);
            expect(verification.nodegroups[0]).toMatchObject({
              version: '1.30',
              releaseVersion: '1.30.14-20251108',
            });
            expect(verification.addons).toEqual([
              { name: 'vpc-cni', version: 'v1.19.2-eksbuild.5', status: expect.any(String) },
            ]);
            for (const warning of verification.warnings) expect(typeof warning).toBe('string');
          } catch (error) {
            expectNamed(error, 'verifyCluster');
          }
        },
      ),
      {
        numRuns: 300,
        // A cluster that matches (random answers rarely do), so the passing branch is checked too.
        examples: [
          [
            {
              ok: true,
              value: {
                version: '1.30',
                status: 'ACTIVE',
                health: { issues: [{ code: 'ClusterUnreachable' }] },
              },
            },
            { ok: true, value: { version: '1.30', releaseVersion: '1.30.14-20251108', status: 'ACTIVE' } },
            {
              ok: true,
              value: { version: '1.29', releaseVersion: 'ami-0abc1234def567890', status: 'ACTIVE' },
            },
            { ok: true, value: { addonVersion: 'v1.19.2-eksbuild.5', status: 'DEGRADED' } },
          ],
        ],
      },
    );
    expect(passed).toBeGreaterThan(0);
  });

  it('updateNodegroup starts, adopts or skips with a well-formed result, or fails by name (400 cases)', async () => {
    const seen = new Set<string>();
    const steps: NodegroupStep[] = [
      {
        name: 'ng-a',
        toVersion: '1.30',
        releaseVersion: null,
        launchTemplate: null,
        reason: 'final',
      },
      {
        name: 'ng-a',
        toVersion: '1.30',
        releaseVersion: '1.30.14-20251108',
        launchTemplate: null,
        reason: 'final',
      },
      {
        name: 'ng-a',
        toVersion: null,
        releaseVersion: null,
        reason: 'launch-template',
        launchTemplate: { id: 'lt-0abc', version: '8' },
      },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...steps),
        fc.boolean(),
        // No deadline, one far off, one already passed (the step then defers by name).
        fc.constantFrom(null, '2026-11-26T03:00:00.000Z', '2026-11-25T02:00:00.000Z'),
        answer(nodegroup),
        // EKS answers 409 when an update is running: then the step looks for one to adopt.
        answer(update, 3),
        fc.array(text(['u-1', 'u-2']), { maxLength: 3 }),
        fc.oneof(
          answer(update),
          // The running update is this very move (someone else started it): the step adopts it.
          fc.constant<Answer<Update>>({
            ok: true,
            value: {
              id: 'u-9',
              status: 'InProgress',
              type: 'VersionUpdate',
              params: [{ type: 'Version', value: '1.30' }],
            },
          }),
        ),
        async (step, force, deadline, nodegroupReply, updateReply, updateIds, describeReply) => {
          eksMock.reset();
          eksMock
            .on(DescribeNodegroupCommand)
            .callsFake(() => given(nodegroupReply, (value) => ({ nodegroup: value })));
          eksMock
            .on(UpdateNodegroupVersionCommand)
            .callsFake(() => given(updateReply, (value) => ({ update: value })));
          eksMock.on(ListUpdatesCommand).resolves({ updateIds });
          eksMock
            .on(DescribeUpdateCommand)
            .callsFake(() => given(describeReply, (value) => ({ update: value })));
          let result: UpdateProgress;
          try {
            result = await updateNodegroup(
              { clusterName: 'prod', executionName: 'run-1', force, nodegroup: step, deadline },
              { eks, now: () => now },
            );
          } catch (error) {
            expectNamed(error, 'updateNodegroup');
            seen.add(error instanceof Error ? error.name : 'thrown');
            return;
          }
          seen.add(`${result.status}${result.adopted ? ' adopted' : ''}`);
          expectWellFormedProgress(result, undefined);
          expect(result).toMatchObject({ kind: 'nodegroup', clusterName: 'prod', nodegroupName: 'ng-a' });
          expect(['InProgress', 'Skipped', 'Deferred']).toContain(result.status);
          if (result.status === 'Skipped' || result.status === 'Deferred') {
            expect(result.updateId).toBeNull();
            expect(result.note).toMatch(/\S/);
          }
          const sent = eksMock.commandCalls(UpdateNodegroupVersionCommand).length;
          expect(sent).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 400 },
    );
    for (const outcome of [
      'InProgress',
      'InProgress adopted',
      'Skipped',
      'UpdateInProgressError',
      'Deferred',
    ]) {
      expect(seen, outcome).toContain(outcome);
    }
  });
});
