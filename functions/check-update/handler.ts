import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import type { UpdateProgress } from '../shared/types.ts';
import { checkUpdate } from './check-update.ts';

const eks = new EKSClient({});
const autoScaling = new AutoScalingClient({});

export const handler = makeHandler((event: UpdateProgress) =>
  checkUpdate(event, { eks, autoScaling, now: () => new Date() }),
);
