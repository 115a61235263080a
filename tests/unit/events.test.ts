import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { resolveFleet } from '../../functions/resolve-fleet/resolve-fleet.ts';
import { parseUpgradeInput } from '../../functions/shared/input.ts';

const readEvent = (name: string): unknown => JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));

describe('events/', () => {
  it('has a sample event for every function', () => {
    const functions = readdirSync('functions', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(`functions/${entry.name}/handler.ts`))
      .map((entry) => entry.name);
    for (const name of functions) expect(existsSync(`events/${name}.json`), name).toBe(true);
  });

  it('holds execution inputs the state machines accept', async () => {
    expect(parseUpgradeInput(readEvent('upgrade-seed'))).toMatchObject({
      clusterName: 'ekscluster-eksctl',
      targetVersion: '1.19',
    });
    const plan = readEvent('plan-upgrade') as { input: unknown };
    expect(parseUpgradeInput(plan.input).clusterName).toBe('ekscluster-eksctl');
    const fleet = await resolveFleet(readEvent('upgrade-fleet'), {
      eks: new EKSClient({ region: 'us-east-1' }),
      now: () => new Date(),
      allowedClusters: '*',
    });
    expect(fleet.waves.flatMap((wave) => wave.items).map((item) => item.executionName)).toEqual([
      'ekscluster-eksctl-20261125T0200Z',
    ]);
  });
});
