import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type PlanUpgradeEvent, planUpgrade } from './plan-upgrade.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: PlanUpgradeEvent) => planUpgrade(event, { eks }));
