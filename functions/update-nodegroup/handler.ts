import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type UpdateNodegroupEvent, updateNodegroup } from './update-nodegroup.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: UpdateNodegroupEvent) =>
  updateNodegroup(event, { eks, now: () => new Date() }),
);
