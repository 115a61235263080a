import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeHandler, requiredEnvironment } from '../shared/handler-kit.ts';
import { type PlanUpgradeEvent, planUpgrade } from './plan-upgrade.ts';

const eks = new EKSClient({});
const ssm = new SSMClient({});
const cloudWatch = new CloudWatchClient({});

// Fails closed: without the template's ClusterNamePattern the function upgrades nothing.
const allowedClusters = requiredEnvironment('ALLOWED_CLUSTERS');
// Fails closed too: without the running upgrades it could not keep to one per cluster.
const executions = {
  sfn: new SFNClient({}),
  stateMachineArn: requiredEnvironment('UPGRADE_STATE_MACHINE_ARN'),
};

export const handler = makeHandler((event: PlanUpgradeEvent) =>
  planUpgrade(event, { eks, ssm, cloudWatch, allowedClusters, executions, now: () => new Date() }),
);
