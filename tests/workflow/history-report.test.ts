import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../cli/commands.ts';
import { reportFromHistory } from '../../cli/history-report.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { applyFault, loadScenario } from '../../local/simulator/index.ts';
import { renderRunReport } from '../../report/index.ts';
import { seedInput } from './helpers.ts';

/** An execution's history read through GetExecutionHistory, as `eks-upgrade report` reads a real one. */
async function historyOf(fault?: 'pdb-blocked') {
  const scenario = fault ? applyFault(loadScenario('seed'), fault) : loadScenario('seed');
  const aws = await LocalAws.start(scenario);
  try {
    const result = await aws.execute(seedInput, { executionName: 'history-1' });
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: aws.simulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const arn = `${aws.stateMachineArn('UpgradeClusterStateMachine').replace(':stateMachine:', ':execution:')}:history-1`;
    return { result, events: await readHistory(sfn, arn) };
  } finally {
    await aws.close();
  }
}

describe('eks-upgrade report', () => {
  it('rebuilds the run from the execution history alone: versions, each update and its duration', async () => {
    const { events } = await historyOf();
    const { summary } = reportFromHistory(events);
    expect(summary).toMatchObject({
      cluster: 'ekscluster-eksctl',
      from: '1.18',
      to: '1.19',
      status: 'SUCCEEDED',
    });
    expect(summary.steps.map((step) => [step.name, step.status, step.simulatedSeconds > 0])).toEqual([
      ['control plane', 'Successful', true],
      ['add-on kube-proxy', 'Successful', true],
      ['node group managednodegroup', 'Successful', true],
    ]);
    // As the run saw it: AWS's control plane (at most an hour) plus at most a tenth of it to notice the end.
    expect(summary.steps[0]?.simulatedSeconds).toBeGreaterThan(60);
    expect(summary.steps[0]?.simulatedSeconds).toBeLessThanOrEqual(66 * 60);
    expect(summary.nodegroups).toEqual([
      expect.objectContaining({
        name: 'managednodegroup',
        from: '1.18',
        to: '1.19',
        rotations: 1,
        instancesReplaced: 3,
      }),
    ]);
    expect(renderRunReport(reportFromHistory(events))).toContain('Upgraded 1.18 → 1.19');
  });

  it('tells a failed run with its EKS error code', async () => {
    const { events } = await historyOf('pdb-blocked');
    expect(reportFromHistory(events).summary).toMatchObject({
      status: 'FAILED',
      error: 'PodEvictionFailure',
    });
  });
});
