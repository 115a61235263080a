import { type EKSClient, StartInsightsRefreshCommand } from '@aws-sdk/client-eks';
import { isAwsError } from '../shared/errors.ts';

export interface RefreshInsightsEvent {
  clusterName: string;
}

export interface RefreshInsightsDeps {
  eks: EKSClient;
  now: () => Date;
}

export interface InsightsRefreshRequested {
  clusterName: string;
  /** The control-plane step trusts only insights computed from a refresh that started at or after this. */
  freshAfter: string;
}

/**
 * EKS recomputes insights by itself only every 24 hours (EKS-FACTS 7.4), so before a hop's gate the
 * run asks for a refresh: the stages before it changed node versions and add-ons the insights look at.
 */
export async function refreshInsights(
  event: RefreshInsightsEvent,
  { eks, now }: RefreshInsightsDeps,
): Promise<InsightsRefreshRequested> {
  const freshAfter = now().toISOString();
  try {
    await eks.send(new StartInsightsRefreshCommand({ clusterName: event.clusterName }));
  } catch (error) {
    // EKS may refuse a refresh in the cluster's current state; the gate then reads the insights as
    // EKS last computed them (the control-plane step tries once more).
    if (!isAwsError(error, 'InvalidRequestException')) throw error;
  }
  return { clusterName: event.clusterName, freshAfter };
}
