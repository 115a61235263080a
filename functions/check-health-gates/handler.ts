import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type CheckHealthGatesEvent, checkHealthGates } from './check-health-gates.ts';

const eks = new EKSClient({});
const cloudWatch = new CloudWatchClient({});

export const handler = makeHandler((event: CheckHealthGatesEvent) =>
  checkHealthGates(event, { eks, cloudWatch, now: () => new Date() }),
);
