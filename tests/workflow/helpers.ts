import { EKSClient } from '@aws-sdk/client-eks';
import { expect } from 'vitest';
import type { TaskHandler, TaskWrapper } from '../../local/harness/bind-tasks.ts';
import { checkInvariants, errorsByFault } from '../../local/harness/invariants.ts';
import {
  type ExecuteOptions,
  type ExecutionResult,
  LocalAws,
  type LocalAwsOptions,
} from '../../local/harness/local-aws.ts';
import {
  applyFault,
  type FaultName,
  loadScenario,
  type Scenario,
  type UpdateRecord,
} from '../../local/simulator/index.ts';
import { parseScenario } from '../../local/simulator/scenario.ts';

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
  /** Error codes AWS may answer with besides the preset fault's (custom faults in the scenario). */
  expectedErrors?: readonly string[];
  /** How the local AWS is deployed (e.g. a template with a permission removed). */
  deployment?: LocalAwsOptions;
  /** What a person does on the simulator before the execution starts (with administrator credentials). */
  before?: (aws: LocalAws) => Promise<void>;
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
  const aws = await LocalAws.start(scenario, setup.deployment);
  try {
    const input = 'input' in setup ? setup.input : seedInput;
    await setup.before?.(aws);
    const before = aws.simulator.snapshot();
    const execution = await aws.execute(input, { executionName: 'workflow-test', ...setup.options });
    // A fleet's input names no one cluster: every cluster of the scenario keeps the invariants.
    const named = stringField(input, 'clusterName');
    const violations = (named ? [named] : scenario.clusters.map((cluster) => cluster.name)).flatMap(
      (clusterName) =>
        checkInvariants({
          clusterName,
          before,
          after: aws.simulator.snapshot(),
          requestLog: aws.simulator.requestLog,
          dryRun: field(input, 'dryRun') === true,
          maxConcurrentNodegroups: Number(field(input, 'maxConcurrentNodegroups') ?? 1),
          expectedErrors: [
            ...(setup.fault ? (errorsByFault[setup.fault] ?? []) : []),
            ...(setup.expectedErrors ?? []),
          ],
        }),
    );
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

/** A scenario with faults added (validated, defaults filled in, as a scenario file would be). */
export function scenarioWith(name: string, ...faults: unknown[]): Scenario {
  const scenario = loadScenario(name);
  return parseScenario({ ...scenario, faults: [...scenario.faults, ...faults] }, `${name} with faults`);
}

/** An error shaped the way Step Functions reports a Lambda or States failure: only its name matters. */
export function namedError(name: string, message = `${name} (injected)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * A fault injector for one task state: its first `times` invocations throw `errorName`, either
 * instead of running (`when: 'before'`: Lambda never ran the code) or after the real handler
 * returned (`when: 'after'`: the side effect happened, the answer was lost).
 */
export function failTask(
  state: string,
  errorName: string,
  { times = 1, when = 'before' }: { times?: number; when?: 'before' | 'after' } = {},
): TaskWrapper {
  let failures = 0;
  return (name: string, run: TaskHandler): TaskHandler => {
    if (name !== state) return run;
    return async (input) => {
      if (failures < times && when === 'before') {
        failures += 1;
        throw namedError(errorName);
      }
      const output = await run(input);
      if (failures < times) {
        failures += 1;
        throw namedError(errorName);
      }
      return output;
    };
  };
}

/** Every update the simulator recorded for the cluster, oldest first. */
export function updatesOf(aws: LocalAws, name = 'ekscluster-eksctl'): UpdateRecord[] {
  return clusterState(aws, name).updates;
}

/** The resource an update belongs to: "control plane", "node group X" or "add-on X". */
export function updateTarget(update: UpdateRecord): string {
  if (update.nodegroupName) return `node group ${update.nodegroupName}`;
  if (update.addonName) return `add-on ${update.addonName}`;
  return 'control plane';
}

/** A person's own EKS client on the simulator (administrator credentials). */
export function personsEks(aws: LocalAws): EKSClient {
  return new EKSClient({
    region: aws.scenario.region,
    endpoint: aws.simulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}
