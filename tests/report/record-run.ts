import type { TaskRecord } from '../../local/harness/bind-tasks.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { summarizeRun } from '../../local/run-summary.ts';
import { applyFault, type FaultName, loadScenario } from '../../local/simulator/index.ts';
import type { RunReportData } from '../../report/index.ts';

export const seedInput = { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' };

/**
 * Runs the real workflow on the simulator's seed scenario, as `npm start` does, and keeps what a
 * report needs. LocalAws is closed before this returns: while open it fakes setTimeout and Date.
 */
export async function recordRun(
  options: { fault?: FaultName; deadlineMinutes?: number } = {},
): Promise<RunReportData> {
  let scenario = loadScenario('seed');
  if (options.fault) scenario = applyFault(scenario, options.fault);
  const wallStart = performance.now();
  const aws = await LocalAws.start(scenario);
  try {
    const before = aws.simulator.snapshot();
    const runStartedAt = aws.now();
    const tasks: TaskRecord[] = [];
    const execution = await aws.execute(seedInput, {
      executionName: `report-${options.fault ?? 'seed'}`,
      onTask: (task) => tasks.push(task),
    });
    const summary = summarizeRun({
      clusterName: seedInput.clusterName,
      before,
      after: aws.simulator.snapshot(),
      requestLog: aws.simulator.requestLog,
      execution,
      dryRun: false,
      wallSeconds: (performance.now() - wallStart) / 1000,
    });
    return {
      summary,
      tasks,
      plan: tasks.find((task) => task.state === 'Plan Upgrade')?.output,
      runStartedAt,
      ...(options.deadlineMinutes === undefined
        ? {}
        : { deadline: runStartedAt + options.deadlineMinutes * 60_000 }),
    };
  } finally {
    await aws.close();
  }
}
