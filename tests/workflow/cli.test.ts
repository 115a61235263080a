import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type Simulator, startSimulator } from '../../local/simulator/index.ts';

const run = promisify(execFile);
const scenario = loadScenario('multi-hop');
let simulator: Simulator;

describe('eks-upgrade plan against the simulator', () => {
  beforeAll(async () => {
    simulator = await startSimulator({ scenario, now: () => Date.parse(scenario.startTime) });
  });
  afterAll(() => simulator.close());

  it('prints the plan table and changes nothing', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'bin/eks-upgrade.mjs',
        'plan',
        '--cluster',
        'legacy-cluster',
        '--target',
        '1.30',
        '--region',
        'us-east-1',
        '--endpoint-url',
        simulator.endpoint,
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    );
    expect(stdout).toContain(
      'Plan for legacy-cluster: 1.24 -> 1.30, 6 control-plane hops, 9 node group rolling updates',
    );
    expect(stdout).toMatch(/1\s+1\.24 -> 1\.25\s+vpc-cni/);
    expect(simulator.requestLog.filter((request) => request.mutating)).toEqual([]);
  });

  it('says what is wrong with a bad request, with the error name', async () => {
    const failure = await run(
      process.execPath,
      [
        'bin/eks-upgrade.mjs',
        'plan',
        '--cluster',
        'legacy-cluster',
        '--target',
        '1.20',
        '--region',
        'us-east-1',
        '--endpoint-url',
        simulator.endpoint,
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('DowngradeRefusedError') });
  });
});
