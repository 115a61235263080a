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
  it.each(['seed', 'four-nodegroups', 'multi-hop', 'ami-refresh', 'insight-blocked'])(
    'loads the bundled scenario %s',
    (name) => {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.startTime).toBe('2026-11-25T02:00:00Z');
    },
  );

  it('loads the multi-hop cluster as documented', () => {
    const [cluster] = loadScenario('multi-hop').clusters;
    expect(cluster?.version).toBe('1.24');
    expect(cluster?.nodegroups.map((ng) => [ng.name, ng.version, ng.amiType])).toEqual([
      ['ng-124', '1.24', 'AL2_x86_64'],
      ['ng-124-al2023', '1.24', 'AL2023_x86_64_STANDARD'],
      ['ng-123', '1.23', 'AL2_x86_64'],
    ]);
    expect(cluster?.addons).toEqual([
      { name: 'vpc-cni', version: 'v1.10.4-eksbuild.1' },
      { name: 'coredns', version: 'v1.8.7-eksbuild.10' },
      { name: 'kube-proxy', version: 'v1.24.7-eksbuild.2' },
    ]);
  });

  it('keeps every bundled scenario consistent: releases for every node group, one add-on default per version', () => {
    for (const name of ['seed', 'four-nodegroups', 'multi-hop', 'ami-refresh', 'insight-blocked']) {
      const scenario = loadScenario(name);
      for (const ng of scenario.clusters.flatMap((c) => c.nodegroups)) {
        if (ng.amiType === 'CUSTOM') continue;
        expect(scenario.releases[ng.amiType]?.[ng.version]?.length, `${name}/${ng.name}`).toBeGreaterThan(0);
      }
      for (const info of scenario.addonVersions) {
        for (const { version } of scenario.kubernetesVersions) {
          const defaults = info.versions.filter((v) => v.defaultFor.includes(version));
          expect(defaults, `${name}/${info.addonName}/${version}`).toHaveLength(1);
          expect(defaults[0]?.clusterVersions).toContain(version);
        }
      }
    }
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

  it('requires a launch template and an AMI id as release for a CUSTOM node group, and releases of the right minor', () => {
    const seed = JSON.parse(
      readFileSync(new URL('../../../local/simulator/scenarios/seed.json', import.meta.url), 'utf8'),
    );
    seed.clusters[0].nodegroups[0].amiType = 'CUSTOM';
    seed.releases.AL2_x86_64['1.18'].push({ releaseVersion: '1.19.1-20261201', publishedAtSecond: 60 });
    const path = writeScenario(seed);
    expect(() => loadScenario(path)).toThrow(/amiType CUSTOM, which needs a customLaunchTemplate/);
    expect(() => loadScenario(path)).toThrow(/its releaseVersion is an AMI id/);
    expect(() => loadScenario(path)).toThrow(/release 1\.19\.1-20261201 does not belong to 1\.18/);
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
    expect(faultNames).toHaveLength(7);
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
    expect(applyFault(seed, 'insight-error').faults[0]).toEqual({
      type: 'insight-error',
      cluster: 'ekscluster-eksctl',
      atSecond: 0,
    });
  });
});
