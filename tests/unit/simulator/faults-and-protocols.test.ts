import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeClusterCommand, ListUpdatesCommand, UpdateClusterVersionCommand } from '@aws-sdk/client-eks';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const name = 'ekscluster-eksctl';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

function withFaults(faults: Scenario['faults'], base = 'seed'): Scenario {
  return { ...loadScenario(base), faults };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return `${e.name} ${e.$metadata?.httpStatusCode}`;
  }
}

describe('burst faults', () => {
  it('throttling: EKS requests 3 to 6 fail with ThrottlingException (429), then calls succeed again', async () => {
    rig = await startRig({ faults: ['throttling'] });
    const results: string[] = [];
    for (let i = 0; i < 7; i++)
      results.push(await outcome(rig.eks.send(new DescribeClusterCommand({ name }))));
    expect(results).toEqual([
      'ok',
      'ok',
      'ThrottlingException 429',
      'ThrottlingException 429',
      'ThrottlingException 429',
      'ThrottlingException 429',
      'ok',
    ]);
    expect(rig.simulator.requestLog.map((r) => r.errorCode ?? '-')).toEqual([
      '-',
      '-',
      'ThrottlingException',
      'ThrottlingException',
      'ThrottlingException',
      'ThrottlingException',
      '-',
    ]);
  });

  it('server-errors: EKS answers 503 ServiceUnavailableException and 500 ServerException in turn', async () => {
    rig = await startRig({ faults: ['server-errors'] });
    const results: string[] = [];
    for (let i = 0; i < 7; i++)
      results.push(await outcome(rig.eks.send(new DescribeClusterCommand({ name }))));
    expect(results).toEqual([
      'ok',
      'ok',
      'ServiceUnavailableException 503',
      'ServerException 500',
      'ServiceUnavailableException 503',
      'ServerException 500',
      'ok',
    ]);
  });

  it('throttles Auto Scaling with the awsQuery Throttling code (400)', async () => {
    rig = await startRig({
      scenario: withFaults([{ type: 'throttling', service: 'autoscaling', afterRequests: 0, count: 1 }]),
    });
    const error = await rejectionOf(rig.autoScaling.send(new DescribeAutoScalingGroupsCommand({})));
    expect(error.name).toBe('Throttling');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe('Rate exceeded');
  });

  it('an "applied" 5xx keeps the change, and the SDK retry with the same token gets the same update', async () => {
    rig = await startRig({
      scenario: withFaults([
        {
          type: 'server-errors',
          service: 'eks',
          operation: 'UpdateClusterVersion',
          afterRequests: 0,
          count: 1,
          effect: 'applied',
        },
      ]),
      maxAttempts: 2,
    });
    const { update, $metadata } = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.19' }),
    );
    expect($metadata.attempts).toBe(2);
    const { updateIds } = await rig.eks.send(new ListUpdatesCommand({ name }));
    expect(updateIds).toEqual([update?.id]);
    const [first, second] = rig.simulator.requestLog;
    expect(first?.status).toBe(503);
    expect(second?.params.clientRequestToken).toBe(first?.params.clientRequestToken);
  });
});

describe('request log', () => {
  it('records service, operation, mutation, params, status, caller and simulated time of every request', async () => {
    rig = await startRig();
    await rig.eks.send(new DescribeClusterCommand({ name }));
    rig.advanceMinutes(2);
    await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.20' })));
    await rig.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['a', 'b'] }));
    expect(rig.simulator.requestLog).toEqual([
      {
        at: rig.start,
        service: 'eks',
        operation: 'DescribeCluster',
        mutating: false,
        params: { name },
        status: 200,
        caller: 'test',
      },
      {
        at: rig.start + 120_000,
        service: 'eks',
        operation: 'UpdateClusterVersion',
        mutating: true,
        params: { name, version: '1.20', clientRequestToken: expect.any(String) },
        status: 400,
        errorCode: 'InvalidParameterException',
        caller: 'test',
      },
      {
        at: rig.start + 120_000,
        service: 'autoscaling',
        operation: 'DescribeAutoScalingGroups',
        mutating: false,
        params: {
          Action: 'DescribeAutoScalingGroups',
          Version: '2011-01-01',
          'AutoScalingGroupNames.member.1': 'a',
          'AutoScalingGroupNames.member.2': 'b',
        },
        status: 200,
        caller: 'test',
      },
    ]);
    expect(rig.simulator.inFlight()).toBe(0);
  });
});

describe('Auto Scaling XML', () => {
  it('deserializes groups, instances and tags through the real SDK, and pages with MaxRecords', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const first = await rig.autoScaling.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 3 }));
    expect(first.AutoScalingGroups).toHaveLength(3);
    expect(first.NextToken).toEqual(expect.any(String));
    const rest = await rig.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ MaxRecords: 3, NextToken: first.NextToken }),
    );
    expect(rest.AutoScalingGroups).toHaveLength(1);
    expect(rest.NextToken).toBeUndefined();

    const { AutoScalingGroups } = await rig.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [{ Name: 'tag:eks:nodegroup-name', Values: ['ingress'] }],
      }),
    );
    const [group] = AutoScalingGroups ?? [];
    expect(group).toMatchObject({
      AutoScalingGroupName: 'eks-ingress-9e4a1b6c-8d3f-4c5e-a7b9-2f3e4d5c6b04',
      MinSize: 2,
      MaxSize: 3,
      DesiredCapacity: 2,
      AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      LaunchTemplate: { Version: '3' },
      HealthCheckType: 'EC2',
      NewInstancesProtectedFromScaleIn: false,
    });
    expect(group?.CreatedTime).toBeInstanceOf(Date);
    expect(group?.Tags).toContainEqual(
      expect.objectContaining({ Key: 'eks:cluster-name', Value: 'prod-cluster', PropagateAtLaunch: true }),
    );
    expect(group?.Instances?.[0]).toMatchObject({
      InstanceId: expect.stringMatching(/^i-0[0-9a-f]{16}$/),
      InstanceType: 't3.medium',
      LifecycleState: 'InService',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { LaunchTemplateName: expect.any(String), Version: '3' },
    });
  });

  it('returns an empty list for unknown group names', async () => {
    rig = await startRig();
    const { AutoScalingGroups } = await rig.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['nope'] }),
    );
    expect(AutoScalingGroups).toEqual([]);
  });
});

describe('SSM public parameters', () => {
  it('serves the recommended release, the JSON document and ParameterNotFound', async () => {
    rig = await startRig();
    const base = '/aws/service/eks/optimized-ami/1.19/amazon-linux-2/recommended';
    const release = await rig.ssm.send(new GetParameterCommand({ Name: `${base}/release_version` }));
    expect(release.Parameter).toMatchObject({ Type: 'String', Value: '1.19.15-20211013' });
    const document = await rig.ssm.send(new GetParameterCommand({ Name: base }));
    expect(JSON.parse(document.Parameter?.Value ?? '{}')).toMatchObject({
      release_version: '1.19.15-20211013',
      image_id: expect.stringMatching(/^ami-0/),
    });
    const al2023 = await rig.ssm.send(
      new GetParameterCommand({
        Name: '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/release_version',
      }),
    );
    expect(al2023.Parameter?.Value).toBe('1.35.0-20261105');
    const missing = await rejectionOf(
      rig.ssm.send(
        new GetParameterCommand({
          Name: '/aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/release_version',
        }),
      ),
    );
    expect(missing.name).toBe('ParameterNotFound');
    expect(missing.$metadata?.httpStatusCode).toBe(400);
  });

  it('hides a release until its publishedAt time', async () => {
    const scenario = loadScenario('seed');
    scenario.releases.AL2_x86_64?.['1.19']?.push({
      releaseVersion: '1.19.16-20261201',
      publishedAt: '2026-11-25T03:00:00Z',
    });
    rig = await startRig({ scenario });
    const Name = '/aws/service/eks/optimized-ami/1.19/amazon-linux-2/recommended/release_version';
    expect((await rig.ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value).toBe('1.19.15-20211013');
    rig.advanceMinutes(60);
    expect((await rig.ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value).toBe('1.19.16-20261201');
  });
});

describe('SNS', () => {
  it('records published messages with their simulated time', async () => {
    rig = await startRig();
    const TopicArn = 'arn:aws:sns:us-east-1:123456789012:eks-upgrades';
    const { MessageId } = await rig.sns.send(
      new PublishCommand({ TopicArn, Subject: 'Done', Message: 'upgraded' }),
    );
    expect(MessageId).toEqual(expect.any(String));
    expect(rig.simulator.snapshot().published).toEqual([
      { topicArn: TopicArn, subject: 'Done', message: 'upgraded', at: rig.start },
    ]);
    const error = await rejectionOf(
      rig.sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
