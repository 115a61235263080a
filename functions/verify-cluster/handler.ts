import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type VerifyClusterEvent, verifyCluster } from './verify-cluster.ts';

const eks = new EKSClient({});

export const handler = makeHandler((plan: VerifyClusterEvent) => verifyCluster(plan, { eks }));
