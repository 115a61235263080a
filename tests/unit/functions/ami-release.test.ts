import {
  type AMITypes,
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { onAmiRelease } from '../../../functions/on-ami-release/on-ami-release.ts';
import { watchAmiReleases } from '../../../functions/watch-ami-releases/watch-ami-releases.ts';

const eksMock = mockClient(EKSClient);
const ssmMock = mockClient(SSMClient);
const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);
const watcherDeps = {
  eks: new EKSClient({}),
  ssm: new SSMClient({}),
  sns: new SNSClient({}),
  topicArn: 'arn:aws:sns:us-east-1:123456789012:ami',
  clusterNames: ['a', 'b'],
  // The previous watch, an hour ago: the AL2023 release came out since, the AL2 one long before.
  announceSince: new Date('2026-11-26T09:00:00.000Z'),
  announceUntil: new Date('2026-11-26T10:00:00.000Z'),
};
const publishedAt = new Date('2026-11-26T09:30:00.000Z');

describe('watchAmiReleases', () => {
  beforeEach(() => {
    for (const mock of [eksMock, ssmMock, snsMock]) mock.reset();
    eksMock.on(ListNodegroupsCommand, { clusterName: 'a' }).resolves({ nodegroups: ['old', 'current'] });
    eksMock.on(ListNodegroupsCommand, { clusterName: 'b' }).resolves({ nodegroups: ['al2'] });
    const nodegroup = (releaseVersion: string, amiType: AMITypes = 'AL2023_x86_64_STANDARD') => ({
      nodegroup: { version: '1.32', amiType, releaseVersion },
    });
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'old' }).resolves(nodegroup('1.32.9-20251108'));
    eksMock
      .on(DescribeNodegroupCommand, { nodegroupName: 'current' })
      .resolves(nodegroup('1.32.12-20261126'));
    eksMock
      .on(DescribeNodegroupCommand, { nodegroupName: 'al2' })
      .resolves(nodegroup('1.32.9-20251108', 'AL2_x86_64'));
    ssmMock
      .on(GetParameterCommand, {
        Name: '/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/standard/recommended/release_version',
      })
      .resolves({ Parameter: { Value: '1.32.12-20261126', LastModifiedDate: publishedAt } });
    ssmMock
      .on(GetParameterCommand, {
        Name: '/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/release_version',
      })
      .resolves({
        Parameter: { Value: '1.32.9-20251108', LastModifiedDate: new Date('2025-11-08T00:00:00Z') },
      });
  });

  it('announces each recommended release some node group is behind, naming those clusters', async () => {
    const { published } = await watchAmiReleases(watcherDeps);
    expect(published).toEqual([
      {
        kubernetesVersion: '1.32',
        amiType: 'AL2023_x86_64_STANDARD',
        releaseVersion: '1.32.12-20261126',
        clusters: ['a'],
      },
    ]);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ami',
      Subject: 'New EKS AMI release 1.32.12-20261126 (AL2023_x86_64_STANDARD, Kubernetes 1.32)',
    });
  });

  it('announces a release once: a later watch, with node groups still behind, says nothing', async () => {
    const later = {
      ...watcherDeps,
      announceSince: new Date('2026-11-26T10:00:00.000Z'),
      announceUntil: new Date('2026-11-26T11:00:00.000Z'),
    };
    expect((await watchAmiReleases(later)).published).toEqual([]);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('says what it would announce in a dry run, and announces nothing', async () => {
    const result = await watchAmiReleases(watcherDeps, { dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      published: [{ releaseVersion: '1.32.12-20261126', clusters: ['a'] }],
    });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('onAmiRelease', () => {
  const logged: string[] = [];
  const deps = {
    sfn: new SFNClient({}),
    fleetStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:upgrade-fleet',
    fleet: ['a', 'b'],
    policy: 'now' as const,
    windowMinutes: 240,
    maxConcurrentClusters: 3,
    now: () => new Date('2026-11-26T10:00:00.000Z'),
    log: (message: string) => {
      logged.push(message);
    },
  };
  const event = (...messages: string[]) => ({
    Records: messages.map((Message, index) => ({ Sns: { MessageId: `m-${index}`, Message } })),
  });
  const release = {
    kubernetesVersion: '1.32',
    amiType: 'AL2023_x86_64_STANDARD',
    releaseVersion: '1.32.12-20261126',
  };

  beforeEach(() => {
    sfnMock.reset();
    logged.length = 0;
  });

  it('refreshes the named clusters in one fleet run, one window long, the fleet concurrency at a time', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const result = await onAmiRelease(event(JSON.stringify({ ...release, clusters: ['b', 'a'] })), deps);
    expect(result.started).toEqual(['ami-1.32.12-20261126-a-b']);
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: deps.fleetStateMachineArn,
      name: 'ami-1.32.12-20261126-a-b',
      input: JSON.stringify({
        clusters: 'b=ami,a=ami',
        window: { start: '2026-11-26T10:00:00.000Z', minutes: 240 },
        maxConcurrentClusters: 3,
        runKey: 'ami-1.32.12-20261126',
      }),
    });
  });

  it('starts nothing under the window policy: the next upgrade window refreshes', async () => {
    const result = await onAmiRelease(event(JSON.stringify(release)), { ...deps, policy: 'window' });
    expect(result).toMatchObject({ started: [], leftToWindow: ['1.32.12-20261126'] });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('treats a duplicate delivery as done', async () => {
    sfnMock.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ExecutionAlreadyExists',
        $fault: 'client',
        $metadata: {},
        message: 'exists',
      }),
    );
    const result = await onAmiRelease(event(JSON.stringify({ ...release, clusters: ['a'] })), deps);
    expect(result).toMatchObject({ started: [], alreadyStarted: ['ami-1.32.12-20261126-a'] });
  });

  it('drops malformed messages with a logged reason and starts nothing for them', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const result = await onAmiRelease(
      event(
        'not json',
        JSON.stringify({ ...release, releaseVersion: 'latest' }),
        JSON.stringify({ ...release, clusters: ['evil;rm'] }),
      ),
      deps,
    );
    expect(result.started).toEqual([]);
    expect(result.rejected.map((rejection) => rejection.reason)).toEqual([
      'the message is not JSON',
      expect.stringContaining('releaseVersion'),
      expect.stringContaining('clusters.0'),
    ]);
    expect(logged).toHaveLength(3);
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refreshes the whole fleet when a message names no cluster, and refuses clusters outside it', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const all = await onAmiRelease(event(JSON.stringify(release)), deps);
    expect(all.started).toEqual(['ami-1.32.12-20261126-a-b']);
    const outside = await onAmiRelease(event(JSON.stringify({ ...release, clusters: ['zz'] })), deps);
    expect(outside.rejected).toEqual([
      { messageId: 'm-0', reason: "cluster zz is not in this stack's fleet" },
    ]);
  });
});
