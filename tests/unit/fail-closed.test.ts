import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readTemplate } from '../../scripts/template.ts';

const saved = process.env.ALLOWED_CLUSTERS;

afterEach(() => {
  if (saved === undefined) delete process.env.ALLOWED_CLUSTERS;
  else process.env.ALLOWED_CLUSTERS = saved;
});

describe('the set of clusters a stack may upgrade fails closed', () => {
  it('has no ClusterNamePattern default, in the template or in samconfig.toml', () => {
    const parameter = readTemplate().Parameters?.ClusterNamePattern as Record<string, unknown> | undefined;
    expect(parameter).toBeDefined();
    expect(parameter).not.toHaveProperty('Default');
    expect(readFileSync('samconfig.toml', 'utf8')).not.toMatch(/ClusterNamePattern/);
  });

  it.each([
    ['plan-upgrade', () => import('../../functions/plan-upgrade/handler.ts')],
    ['resolve-fleet', () => import('../../functions/resolve-fleet/handler.ts')],
  ])('refuses to load %s without ALLOWED_CLUSTERS rather than allow every cluster', async (_, load) => {
    vi.resetModules();
    delete process.env.ALLOWED_CLUSTERS;
    await expect(load()).rejects.toThrow(/ALLOWED_CLUSTERS is not set/);
  });
});
