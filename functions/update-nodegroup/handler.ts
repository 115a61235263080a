import { EKSClient } from '@aws-sdk/client-eks';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import { type UpdateNodegroupEvent, updateNodegroup } from './update-nodegroup.ts';

const eks = stepClient(new EKSClient({}));
const clientFor = assumedClients();

export const handler = makeHandler((event: UpdateNodegroupEvent) =>
  updateNodegroup(event, {
    eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
    now: () => new Date(),
  }),
);
