import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler, requiredEnvironment, traced } from '../shared/handler-kit.ts';
import { resolveFleet } from './resolve-fleet.ts';

const eks = traced(new EKSClient({}));

// Fails closed: without the template's ClusterNamePattern the function upgrades nothing.
const allowedClusters = requiredEnvironment('ALLOWED_CLUSTERS');

export const handler = makeHandler((input: unknown) =>
  resolveFleet(input, { eks, now: () => new Date(), allowedClusters }),
);
