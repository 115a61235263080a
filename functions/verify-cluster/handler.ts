import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import type { UpgradePlan } from '../shared/types.ts';
import { verifyCluster } from './verify-cluster.ts';

const eks = new EKSClient({});

export const handler = makeHandler((plan: UpgradePlan) => verifyCluster(plan, { eks }));
