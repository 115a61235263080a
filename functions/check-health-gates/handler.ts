import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import { type CheckHealthGatesEvent, checkHealthGates } from './check-health-gates.ts';

const eks = stepClient(new EKSClient({}));
const cloudWatch = stepClient(new CloudWatchClient({}));
const clientFor = assumedClients();

export const handler = makeHandler((event: CheckHealthGatesEvent) =>
  checkHealthGates(event, {
    eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
    cloudWatch: clientFor(
      'cloudwatch',
      (config) => new CloudWatchClient(config),
      roleArnOf(event),
      cloudWatch,
    ),
    now: () => new Date(),
  }),
);
