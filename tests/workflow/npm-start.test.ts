import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../local/run-summary.ts';

const run = promisify(execFile);

/** `npm start -- <args>` as a person runs it, minus npm itself: the same script, a fresh process. */
async function start(...args: string[]): Promise<{ summary: RunSummary; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/run.ts', '--json', ...args]);
    return { summary: JSON.parse(stdout) as RunSummary, code: 0 };
  } catch (error) {
    const { stdout, code } = error as { stdout: string; code: number };
    return { summary: JSON.parse(stdout) as RunSummary, code };
  }
}

describe('npm start', () => {
  it('upgrades the seed cluster to 1.19 and prints one JSON summary', async () => {
    const { summary, code } = await start();
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      cluster: 'ekscluster-eksctl',
      from: '1.18',
      to: '1.19',
      status: 'SUCCEEDED',
    });
    expect(summary.steps.map((step) => [step.kind, step.status])).toEqual([
      ['controlPlane', 'Successful'],
      ['nodegroup', 'Successful'],
    ]);
    expect(summary.steps[0]?.simulatedSeconds).toBe(25 * 60);
    expect(summary.nodegroups).toEqual([
      expect.objectContaining({ name: 'managednodegroup', from: '1.18', to: '1.19', instancesReplaced: 3 }),
    ]);
    expect(summary.mutatingCalls).toBe(2);
    expect(summary.stateTransitions).toBeGreaterThan(10);
  });

  it('reports a failed run with its EKS error code and exits non-zero', async () => {
    const { summary, code } = await start('--fault', 'pdb-blocked');
    expect(code).toBe(1);
    expect(summary).toMatchObject({ status: 'FAILED', error: 'PodEvictionFailure' });
  });
});
