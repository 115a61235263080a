import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateNodegroupCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListClustersCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { denialMessage, evaluate, iamPatternMatches, type Statement } from '../../../local/simulator/iam.ts';
import {
  type IamOptions,
  loadScenario,
  roleAccessKeyId,
  type Simulator,
  startSimulator,
} from '../../../local/simulator/index.ts';
import type { Template } from '../../../scripts/template.ts';
import { rejectionOf } from './support.ts';

const account = '123456789012';
const clusterArn = `arn:aws:eks:us-east-1:${account}:cluster/ekscluster-eksctl`;
const allow = (actions: string[], resources: string[]): Statement => ({
  effect: 'Allow',
  actions,
  resources,
});

describe('IAM wildcards', () => {
  it('matches * across any characters and ? as exactly one', () => {
    expect(
      iamPatternMatches('arn:aws:eks:*:*:cluster/prod-*', 'arn:aws:eks:us-east-1:1:cluster/prod-a', false),
    ).toBe(true);
    expect(iamPatternMatches('cluster/prod-?', 'cluster/prod-a', false)).toBe(true);
    expect(iamPatternMatches('cluster/prod-?', 'cluster/prod-ab', false)).toBe(false);
  });

  it('reads actions without regard to case and resources with it', () => {
    expect(iamPatternMatches('EKS:describe*', 'eks:DescribeCluster', true)).toBe(true);
    expect(iamPatternMatches('cluster/Prod', 'cluster/prod', false)).toBe(false);
  });

  it('takes regex characters in a pattern literally', () => {
    expect(iamPatternMatches('cluster/a.b', 'cluster/axb', false)).toBe(false);
  });
});

describe('IAM evaluation', () => {
  it('denies implicitly what no statement allows', () => {
    expect(
      evaluate([allow(['eks:DescribeCluster'], [clusterArn])], 'eks:UpdateClusterVersion', clusterArn),
    ).toEqual({
      allowed: false,
      explicit: false,
    });
  });

  it('allows an action on a resource a statement names', () => {
    expect(
      evaluate([allow(['eks:Describe*'], ['arn:aws:eks:*:*:cluster/*'])], 'eks:DescribeCluster', clusterArn),
    ).toEqual({
      allowed: true,
    });
  });

  it('lets an explicit Deny win over an Allow', () => {
    const statements: Statement[] = [
      allow(['eks:*'], ['*']),
      { effect: 'Deny', actions: ['eks:UpdateClusterVersion'], resources: [clusterArn] },
    ];
    expect(evaluate(statements, 'eks:UpdateClusterVersion', clusterArn)).toEqual({
      allowed: false,
      explicit: true,
    });
  });

  it('needs the node group ARN with its UUID suffix: a policy without /* does not match it', () => {
    const nodegroup = `arn:aws:eks:us-east-1:${account}:nodegroup/c/ng/1a2b`;
    expect(
      evaluate(
        [allow(['eks:DescribeNodegroup'], ['arn:aws:eks:us-east-1:*:nodegroup/c/ng'])],
        'eks:DescribeNodegroup',
        nodegroup,
      ).allowed,
    ).toBe(false);
    expect(
      evaluate(
        [allow(['eks:DescribeNodegroup'], ['arn:aws:eks:us-east-1:*:nodegroup/c/*/*'])],
        'eks:DescribeNodegroup',
        nodegroup,
      ).allowed,
    ).toBe(true);
  });

  it("words the denial as AWS does, SNS's prefix in capitals and no resource for '*'-only actions", () => {
    const who = 'arn:aws:sts::1:assumed-role/R/S';
    expect(denialMessage(who, 'sns:Publish', 'arn:aws:sns:us-east-1:1:t', { explicit: false })).toBe(
      'User: arn:aws:sts::1:assumed-role/R/S is not authorized to perform: SNS:Publish on resource: ' +
        'arn:aws:sns:us-east-1:1:t because no identity-based policy allows the SNS:Publish action',
    );
    expect(denialMessage(who, 'autoscaling:DescribeAutoScalingGroups', '*', { explicit: false })).toBe(
      'User: arn:aws:sts::1:assumed-role/R/S is not authorized to perform: autoscaling:DescribeAutoScalingGroups ' +
        'because no identity-based policy allows the autoscaling:DescribeAutoScalingGroups action',
    );
    expect(denialMessage(who, 'eks:DescribeCluster', clusterArn, { explicit: true })).toBe(
      `User: arn:aws:sts::1:assumed-role/R/S is not authorized to perform: eks:DescribeCluster on resource: ${clusterArn} ` +
        'with an explicit deny in an identity-based policy',
    );
  });
});

/** A template with one function, Tester, whose role has these statements. */
function testerTemplate(statements: unknown[]): Template {
  return {
    Parameters: { ClusterNamePattern: { Type: 'String', Default: '*' } },
    Resources: {
      Tester: { Type: 'AWS::Serverless::Function', Properties: { Policies: [{ Statement: statements }] } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    },
  };
}

let simulator: Simulator | undefined;
const clients: Array<{ destroy(): void }> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await simulator?.close();
  simulator = undefined;
});

async function signedAs(accessKeyId: string, iam: IamOptions = {}) {
  const scenario = loadScenario('seed');
  simulator = await startSimulator({ scenario, now: () => Date.parse(scenario.startTime), iam });
  const config = {
    endpoint: simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  };
  const made = {
    eks: new EKSClient(config),
    autoScaling: new AutoScalingClient(config),
    sns: new SNSClient(config),
    ssm: new SSMClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
  clients.push(...Object.values(made));
  return { ...made, simulator };
}

const asTester = (statements: unknown[]) =>
  signedAs(roleAccessKeyId('Tester'), { template: testerTemplate(statements) });
const tester = `arn:aws:sts::${account}:assumed-role/eks-upgrade-TesterRole/eks-upgrade-Tester`;

describe('IAM on the simulator', () => {
  it("evaluates a template role's request against that role's policies", async () => {
    const { eks, simulator } = await asTester([
      {
        Effect: 'Allow',
        Action: ['eks:DescribeCluster'],
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub string
              'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${ClusterNamePattern}',
          },
        ],
      },
    ]);
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'ekscluster-eksctl' }));
    expect(cluster?.name).toBe('ekscluster-eksctl');
    expect(simulator.requestLog.at(-1)).toMatchObject({
      operation: 'DescribeCluster',
      status: 200,
      caller: 'Tester',
    });
  });

  it('refuses an EKS call with AccessDeniedException (403) naming the node group ARN and its UUID', async () => {
    const { eks, simulator } = await asTester([
      { Effect: 'Allow', Action: ['eks:DescribeCluster'], Resource: ['*'] },
    ]);
    const error = await rejectionOf(
      eks.send(
        new DescribeNodegroupCommand({ clusterName: 'ekscluster-eksctl', nodegroupName: 'managednodegroup' }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toMatch(
      new RegExp(
        `^User: ${tester} is not authorized to perform: eks:DescribeNodegroup on resource: ` +
          `arn:aws:eks:us-east-1:${account}:nodegroup/ekscluster-eksctl/managednodegroup/[0-9a-f-]{36} ` +
          'because no identity-based policy allows the eks:DescribeNodegroup action$',
      ),
    );
    expect(simulator.requestLog.at(-1)).toMatchObject({
      operation: 'DescribeNodegroup',
      status: 403,
      errorCode: 'AccessDeniedException',
    });
  });

  it('authorizes DescribeUpdate on the node group it names, else on the cluster', async () => {
    const { eks } = await asTester([
      { Effect: 'Allow', Action: ['eks:DescribeUpdate'], Resource: [clusterArn] },
    ]);
    const onNodegroup = await rejectionOf(
      eks.send(
        new DescribeUpdateCommand({
          name: 'ekscluster-eksctl',
          updateId: 'u',
          nodegroupName: 'managednodegroup',
        }),
      ),
    );
    expect(onNodegroup.message).toContain(
      'on resource: arn:aws:eks:us-east-1:123456789012:nodegroup/ekscluster-eksctl/',
    );
    const onCluster = await rejectionOf(
      eks.send(new DescribeUpdateCommand({ name: 'ekscluster-eksctl', updateId: 'u' })),
    );
    expect(onCluster.name).toBe('ResourceNotFoundException');
  });

  it('authorizes ListClusters on cluster/* only, so only Resource "*" allows it', async () => {
    const { eks } = await asTester([
      { Effect: 'Allow', Action: ['eks:ListClusters'], Resource: [clusterArn] },
    ]);
    const error = await rejectionOf(eks.send(new ListClustersCommand({})));
    expect(error.message).toContain(
      `eks:ListClusters on resource: arn:aws:eks:us-east-1:${account}:cluster/*`,
    );
  });

  it('refuses Auto Scaling with AccessDenied (403), naming no resource', async () => {
    const { autoScaling } = await asTester([]);
    const error = await rejectionOf(autoScaling.send(new DescribeAutoScalingGroupsCommand({})));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: ${tester} is not authorized to perform: autoscaling:DescribeAutoScalingGroups ` +
        'because no identity-based policy allows the autoscaling:DescribeAutoScalingGroups action',
    );
  });

  it('refuses SNS with AuthorizationError (403) on the topic', async () => {
    const { sns, simulator } = await asTester([]);
    const topicArn = `arn:aws:sns:us-east-1:${account}:eks-upgrade-Topic`;
    const error = await rejectionOf(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hi' })));
    // The SDK names it AuthorizationErrorException; the wire code is AuthorizationError.
    expect(error.name).toBe('AuthorizationErrorException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toContain(`SNS:Publish on resource: ${topicArn} because`);
    expect(simulator.requestLog.at(-1)).toMatchObject({ status: 403, errorCode: 'AuthorizationError' });
  });

  it('allows SNS Publish on a topic the policy names with !Ref', async () => {
    const { sns } = await asTester([
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'Topic' } },
    ]);
    const topicArn = `arn:aws:sns:us-east-1:${account}:eks-upgrade-Topic`;
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hi' }));
    expect(MessageId).toBeTruthy();
  });

  it('authorizes a public SSM parameter on its account-less ARN; refuses with AccessDeniedException (400)', async () => {
    const name = '/aws/service/eks/optimized-ami/1.19/amazon-linux-2/recommended/release_version';
    const { ssm } = await asTester([
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: 'arn:aws:ssm:us-east-1::parameter/aws/service/eks/optimized-ami/1.19/*',
      },
    ]);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    expect(Parameter?.Value).toBeTruthy();
    const other = name.replace('1.19', '1.20');
    const error = await rejectionOf(ssm.send(new GetParameterCommand({ Name: other })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(`ssm:GetParameter on resource: arn:aws:ssm:us-east-1::parameter${other}`);
  });

  it('refuses CloudWatch DescribeAlarms with AccessDenied (403) on alarm:*', async () => {
    const { cloudWatch, simulator } = await asTester([
      {
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: `arn:aws:cloudwatch:us-east-1:${account}:alarm:prod-*`,
      },
    ]);
    const error = await rejectionOf(cloudWatch.send(new DescribeAlarmsCommand({})));
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toContain(
      `cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:${account}:alarm:* because`,
    );
    expect(simulator.requestLog.at(-1)).toMatchObject({ status: 403, errorCode: 'AccessDenied' });
  });

  it('checks ec2:DescribeLaunchTemplateVersions when a node group update names a launch template', async () => {
    const { eks, simulator } = await asTester([
      { Effect: 'Allow', Action: ['eks:UpdateNodegroupVersion'], Resource: ['*'] },
    ]);
    const error = await rejectionOf(
      eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: 'ekscluster-eksctl',
          nodegroupName: 'managednodegroup',
          launchTemplate: { name: 'x', version: '2' },
        }),
      ),
    );
    expect(error.name).toBe('InvalidRequestException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe('You are not authorized to describe the launch template version.');
    expect(simulator.requestLog.at(-1)).toMatchObject({ status: 400, errorCode: 'InvalidRequestException' });
  });

  it('checks iam:PassRole on the node role when a node group is created', async () => {
    const nodeRole = `arn:aws:iam::${account}:role/eks-node-role`;
    const create = new CreateNodegroupCommand({
      clusterName: 'ekscluster-eksctl',
      nodegroupName: 'replacement',
      subnets: ['subnet-1'],
      nodeRole,
      scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
    });
    const { eks } = await asTester([
      { Effect: 'Allow', Action: ['eks:CreateNodegroup'], Resource: [clusterArn] },
    ]);
    const error = await rejectionOf(eks.send(create));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: ${tester} is not authorized to perform: iam:PassRole on resource: ${nodeRole} ` +
        'because no identity-based policy allows the iam:PassRole action',
    );
  });

  it('does not check launch templates for an update that names none', async () => {
    const { eks } = await asTester([
      { Effect: 'Allow', Action: ['eks:UpdateNodegroupVersion'], Resource: ['*'] },
    ]);
    const { update } = await eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: 'ekscluster-eksctl',
        nodegroupName: 'managednodegroup',
      }),
    );
    expect(update?.status).toBe('InProgress');
  });

  it('scopes a role to ClusterNamePattern as deployed', async () => {
    const { eks } = await signedAs(roleAccessKeyId('PlanUpgradeFunction'), {
      parameters: { ClusterNamePattern: 'prod-*' },
    });
    const error = await rejectionOf(eks.send(new DescribeClusterCommand({ name: 'ekscluster-eksctl' })));
    expect(error.name).toBe('AccessDeniedException');
  });

  it('refuses to start with a statement it cannot evaluate faithfully (a Condition)', async () => {
    const scenario = loadScenario('seed');
    const template = testerTemplate([
      {
        Effect: 'Allow',
        Action: 'eks:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } },
      },
    ]);
    await expect(startSimulator({ scenario, iam: { template } })).rejects.toThrow(
      /Tester has a Condition the simulator does not model/,
    );
  });

  it('models iam:PassedToService: a role passed only to EKS, never by another action', () => {
    const statements = [
      {
        effect: 'Allow' as const,
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::123456789012:role/node'],
        passedToService: ['eks.amazonaws.com'],
      },
    ];
    const role = 'arn:aws:iam::123456789012:role/node';
    expect(evaluate(statements, 'iam:PassRole', role, { passedToService: 'eks.amazonaws.com' })).toEqual({
      allowed: true,
    });
    expect(evaluate(statements, 'iam:PassRole', role, { passedToService: 'ec2.amazonaws.com' })).toEqual({
      allowed: false,
      explicit: false,
    });
    expect(evaluate(statements, 'iam:PassRole', role)).toEqual({ allowed: false, explicit: false });
  });

  it('lets any other credential act as an administrator by default (a person with the AWS CLI)', async () => {
    const { autoScaling } = await signedAs('test');
    const { AutoScalingGroups } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(AutoScalingGroups?.length).toBeGreaterThan(0);
  });

  it('refuses a credential that is neither a role nor a named administrator, when administrators are named', async () => {
    const { eks, autoScaling, simulator } = await signedAs('local', { administratorAccessKeyIds: ['test'] });
    const error = await rejectionOf(eks.send(new DescribeClusterCommand({ name: 'ekscluster-eksctl' })));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect((await rejectionOf(autoScaling.send(new DescribeAutoScalingGroupsCommand({})))).name).toBe(
      'InvalidClientTokenId',
    );
    expect(simulator.requestLog.map((request) => request.caller)).toEqual(['local', 'local']);
  });

  it('tells a template role that may not do something why, for calls AWS makes without HTTP', async () => {
    const { simulator } = await signedAs('test');
    const verify = `arn:aws:lambda:us-east-1:${account}:function:eks-upgrade-VerifyClusterFunction`;
    expect(
      simulator.roleDenial('UpgradeClusterStateMachine', 'lambda:InvokeFunction', verify),
    ).toBeUndefined();
    expect(simulator.roleDenial('UpgradeFleetStateMachine', 'lambda:InvokeFunction', verify)).toBe(
      `User: arn:aws:sts::${account}:assumed-role/eks-upgrade-UpgradeFleetStateMachineRole/UpgradeFleetStateMachine-session ` +
        `is not authorized to perform: lambda:InvokeFunction on resource: ${verify} ` +
        'because no identity-based policy allows the lambda:InvokeFunction action',
    );
  });
});
