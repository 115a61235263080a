import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type RefreshInsightsEvent, refreshInsights } from './refresh-insights.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: RefreshInsightsEvent) =>
  refreshInsights(event, { eks, now: () => new Date() }),
);
