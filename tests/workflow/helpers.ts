import { expect } from 'vitest';
import { checkInvariants, errorsByFault } from '../../local/harness/invariants.ts';
import { type ExecuteOptions, type ExecutionResult, LocalAws } from '../../local/harness/local-aws.ts';
import { applyFault, type FaultName, loadScenario, type Scenario } from '../../local/simulator/index.ts';

export const seedInput = { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' };

export interface WorkflowRun {
  execution: ExecutionResult;
  aws: LocalAws;
}

export interface WorkflowSetup {
  scenario?: string | Scenario;
  fault?: FaultName;
  input?: unknown;
  options?: ExecuteOptions;
}

/**
 * Runs the real state machine against a fresh simulator, checks the invariants every run must
 * keep, and closes the simulator after `inspect` has looked.
 */
export async function runWorkflow<T>(
  setup: WorkflowSetup,
  inspect: (run: WorkflowRun) => T | Promise<T>,
): Promise<T> {
  let scenario = typeof setup.scenario === 'object' ? setup.scenario : loadScenario(setup.scenario ?? 'seed');
  if (setup.fault) scenario = applyFault(scenario, setup.fault);
  const aws = await LocalAws.start(scenario);
  try {
    const input = setup.input ?? seedInput;
    const before = aws.simulator.snapshot();
    const execution = await aws.execute(input, { executionName: 'workflow-test', ...setup.options });
    const violations = checkInvariants({
      clusterName: stringField(input, 'clusterName') ?? '',
      before,
      after: aws.simulator.snapshot(),
      requestLog: aws.simulator.requestLog,
      dryRun: field(input, 'dryRun') === true,
      maxConcurrentNodegroups: Number(field(input, 'maxConcurrentNodegroups') ?? 1),
      expectedErrors: setup.fault ? (errorsByFault[setup.fault] ?? []) : [],
    });
    expect(violations, 'invariants').toEqual([]);
    return await inspect({ execution, aws });
  } finally {
    await aws.close();
  }
}

function field(input: unknown, name: string): unknown {
  return typeof input === 'object' && input !== null && name in input
    ? (input as Record<string, unknown>)[name]
    : undefined;
}

function stringField(input: unknown, name: string): string | undefined {
  const value = field(input, name);
  return typeof value === 'string' ? value : undefined;
}

export function mutatingCalls(aws: LocalAws) {
  return aws.simulator.requestLog.filter((request) => request.mutating && request.service !== 'sns');
}

export function clusterState(aws: LocalAws, name = 'ekscluster-eksctl') {
  const cluster = aws.simulator.snapshot().clusters.find((candidate) => candidate.name === name);
  if (!cluster) throw new Error(`cluster ${name} is gone from the simulator`);
  return cluster;
}
