import { EKSClient, StartInsightsRefreshCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { refreshInsights } from '../../../functions/refresh-insights/refresh-insights.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const deps = { eks: new EKSClient({ region: 'us-east-1' }), now: () => new Date('2026-11-25T03:00:00Z') };

describe('refreshInsights', () => {
  beforeEach(() => eksMock.reset());

  it('starts a refresh and marks the time the gate must see insights from', async () => {
    eksMock.on(StartInsightsRefreshCommand).resolves({});
    expect(await refreshInsights({ clusterName: 'prod' }, deps)).toEqual({
      clusterName: 'prod',
      freshAfter: '2026-11-25T03:00:00.000Z',
    });
    expect(eksMock).toHaveReceivedCommandWith(StartInsightsRefreshCommand, { clusterName: 'prod' });
  });

  it('goes on when EKS refuses a refresh in the cluster state, and fails on anything else', async () => {
    eksMock.on(StartInsightsRefreshCommand).rejects(eksError('InvalidRequestException', 'not now'));
    await expect(refreshInsights({ clusterName: 'prod' }, deps)).resolves.toMatchObject({
      clusterName: 'prod',
    });
    eksMock.on(StartInsightsRefreshCommand).rejects(eksError('ResourceNotFoundException', 'gone'));
    await expect(refreshInsights({ clusterName: 'prod' }, deps)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
