import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler, requiredEnvironment, stepClient } from '../shared/handler-kit.ts';
import { resolveFleet } from './resolve-fleet.ts';

const eks = stepClient(new EKSClient({}));

// Fails closed: without the template's ClusterNamePattern the function upgrades nothing.
const allowedClusters = requiredEnvironment('ALLOWED_CLUSTERS');

export const handler = makeHandler((input: unknown) =>
  resolveFleet(input, { eks, now: () => new Date(), allowedClusters }),
);
