import { EKSClient } from '@aws-sdk/client-eks';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import { type RefreshInsightsEvent, refreshInsights } from './refresh-insights.ts';

const eks = stepClient(new EKSClient({}));
const clientFor = assumedClients();

export const handler = makeHandler((event: RefreshInsightsEvent) =>
  refreshInsights(event, {
    eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
    now: () => new Date(),
  }),
);
