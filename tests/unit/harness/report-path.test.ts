import { describe, expect, it } from 'vitest';
import { defaultReportPath } from '../../../local/run-summary.ts';

describe('the default report path of npm start', () => {
  it('names the scenario, cluster and fault', () => {
    expect(defaultReportPath('seed', 'ekscluster-eksctl', 'pdb-blocked')).toBe(
      'reports/seed-ekscluster-eksctl-pdb-blocked.html',
    );
  });

  it('stays directly inside reports/ whatever a scenario file calls itself', () => {
    for (const [scenario, cluster] of [
      ['../../etc', 'x'],
      ['a/b', '../c'],
      ['..', '..'],
    ] as const) {
      const path = defaultReportPath(scenario, cluster);
      expect(path.startsWith('reports/')).toBe(true);
      expect(path.slice('reports/'.length)).not.toMatch(/[/\\]|^\./);
    }
  });
});
