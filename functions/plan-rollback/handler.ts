import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type PlanRollbackEvent, planRollback } from './plan-rollback.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: PlanRollbackEvent) =>
  planRollback(event, { eks, now: () => new Date() }),
);
