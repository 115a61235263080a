import { type ExecuteOptions, type ExecutionResult, LocalAws } from '../../local/harness/local-aws.ts';
import { applyFault, type FaultName, loadScenario, type Scenario } from '../../local/simulator/index.ts';

export const seedInput = { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' };

export interface WorkflowRun {
  execution: ExecutionResult;
  aws: LocalAws;
}

/** Runs the real state machine against a fresh simulator and closes it after `inspect` has looked. */
export async function runWorkflow<T>(
  setup: { scenario?: string | Scenario; fault?: FaultName; input?: unknown; options?: ExecuteOptions },
  inspect: (run: WorkflowRun) => T | Promise<T>,
): Promise<T> {
  let scenario = typeof setup.scenario === 'object' ? setup.scenario : loadScenario(setup.scenario ?? 'seed');
  if (setup.fault) scenario = applyFault(scenario, setup.fault);
  const aws = await LocalAws.start(scenario);
  try {
    const execution = await aws.execute(setup.input ?? seedInput, {
      executionName: 'workflow-test',
      ...setup.options,
    });
    return await inspect({ execution, aws });
  } finally {
    await aws.close();
  }
}

export function mutatingCalls(aws: LocalAws) {
  return aws.simulator.requestLog.filter((request) => request.mutating && request.service !== 'sns');
}

export function clusterState(aws: LocalAws, name = 'ekscluster-eksctl') {
  const cluster = aws.simulator.snapshot().clusters.find((candidate) => candidate.name === name);
  if (!cluster) throw new Error(`cluster ${name} is gone from the simulator`);
  return cluster;
}
