import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, requiredEnvironment, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import { type PlanUpgradeEvent, planUpgrade } from './plan-upgrade.ts';

const eks = stepClient(new EKSClient({}));
const ssm = stepClient(new SSMClient({}));
const cloudWatch = stepClient(new CloudWatchClient({}));
const autoScaling = stepClient(new AutoScalingClient({}));
const ec2 = stepClient(new EC2Client({}));
const clientFor = assumedClients();

// Fails closed: without the template's ClusterNamePattern the function upgrades nothing.
const allowedClusters = requiredEnvironment('ALLOWED_CLUSTERS');
// Fails closed too: without the running upgrades it could not keep to one per cluster.
const executions = {
  sfn: stepClient(new SFNClient({})),
  stateMachineArn: requiredEnvironment('UPGRADE_STATE_MACHINE_ARN'),
};

export const handler = makeHandler((event: PlanUpgradeEvent) =>
  planUpgrade(event, {
    // A cluster in another account is read with its role's credentials; SSM's public AMI
    // parameters and this stack's executions are read as this function.
    eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event.input), eks),
    ssm,
    autoScaling: clientFor(
      'autoscaling',
      (config) => new AutoScalingClient(config),
      roleArnOf(event.input),
      autoScaling,
    ),
    ec2: clientFor('ec2', (config) => new EC2Client(config), roleArnOf(event.input), ec2),
    cloudWatch: clientFor(
      'cloudwatch',
      (config) => new CloudWatchClient(config),
      roleArnOf(event.input),
      cloudWatch,
    ),
    allowedClusters,
    replacementNodeRoles: (process.env.NODE_ROLE_ARNS ?? '').split(',').filter(Boolean),
    executions,
    now: () => new Date(),
  }),
);
