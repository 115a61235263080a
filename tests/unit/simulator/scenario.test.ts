import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFault, faultNames, loadScenario } from '../../../local/simulator/index.ts';
import { scenarioJsonSchema } from '../../../local/simulator/scenario.ts';

function writeScenario(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'scenario.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadScenario', () => {
  it.each(['seed', 'four-nodegroups', 'multi-hop'])('loads the bundled scenario %s', (name) => {
    const scenario = loadScenario(name);
    expect(scenario.name).toBe(name);
    expect(scenario.startTime).toBe('2026-11-25T02:00:00Z');
  });

  it('loads the seed cluster as documented', () => {
    const [cluster] = loadScenario('seed').clusters;
    expect(cluster).toMatchObject({
      name: 'ekscluster-eksctl',
      version: '1.18',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      nodegroups: [
        { name: 'managednodegroup', desiredSize: 3, instanceType: 't3.small', amiType: 'AL2_x86_64' },
      ],
    });
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/Cannot read scenario "no-such-scenario"/);
    const path = writeScenario('{ not json');
    expect(() => loadScenario(path)).toThrow(`Scenario ${path} is not valid JSON`);
  });

  it('names the field that breaks the format or a rule', () => {
    const seed = JSON.parse(
      readFileSync(new URL('../../../local/simulator/scenarios/seed.json', import.meta.url), 'utf8'),
    );
    seed.clusters[0].nodegroups[0].version = '1.19';
    seed.clusters[0].nodegroups[0].releaseVersion = '1.19.15-20211013';
    seed.faults = [{ type: 'pdb-blocked', cluster: 'ekscluster-eksctl', nodegroup: 'ghost' }];
    seed.accountId = '42';
    const path = writeScenario(seed);
    expect(() => loadScenario(path)).toThrow(/accountId/);
    seed.accountId = '123456789012';
    writeFileSync(path, JSON.stringify(seed));
    expect(() => loadScenario(path)).toThrow(/no node group ghost\n {2}→ at faults\[0\]\.nodegroup/);
    expect(() => loadScenario(path)).toThrow(/node group managednodegroup is newer than its cluster/);
  });

  it('matches the committed JSON Schema', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../local/simulator/scenario.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});

describe('applyFault', () => {
  it('adds each preset to a copy, aimed at the first cluster and node group', () => {
    const seed = loadScenario('seed');
    expect(faultNames).toHaveLength(6);
    for (const fault of faultNames) {
      const faulty = applyFault(seed, fault);
      expect(faulty.faults).toHaveLength(1);
      expect(faulty.faults[0]?.type).toBe(fault);
    }
    expect(seed.faults).toEqual([]);
    expect(applyFault(seed, 'pdb-blocked').faults[0]).toEqual({
      type: 'pdb-blocked',
      cluster: 'ekscluster-eksctl',
      nodegroup: 'managednodegroup',
    });
    expect(applyFault(seed, 'cluster-deleted').faults[0]).toMatchObject({ atSecond: 600 });
  });
});
