import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import type { UpdateProgress } from '../shared/types.ts';
import { checkUpdate } from './check-update.ts';

const eks = stepClient(new EKSClient({}));
const autoScaling = stepClient(new AutoScalingClient({}));
const clientFor = assumedClients();

export const handler = makeHandler((event: UpdateProgress) =>
  checkUpdate(event, {
    eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
    autoScaling: clientFor(
      'autoscaling',
      (config) => new AutoScalingClient(config),
      roleArnOf(event),
      autoScaling,
    ),
    now: () => new Date(),
  }),
);
