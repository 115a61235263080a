import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { resolveFleet } from './resolve-fleet.ts';

const eks = new EKSClient({});

const allowedClusters = process.env.ALLOWED_CLUSTERS ?? '*';

export const handler = makeHandler((input: unknown) =>
  resolveFleet(input, { eks, now: () => new Date(), allowedClusters }),
);
