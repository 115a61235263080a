import { describe, expect, it } from 'vitest';
import type { TaskHandler, TaskRecord, TaskWrapper } from '../../local/harness/bind-tasks.ts';
import { checkInvariants } from '../../local/harness/invariants.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { namedError } from './helpers.ts';

// An execution stopped after any task (StopExecution, a deploy, a region hiccup), then a second
// execution with the same input and another name on the same account: the second must finish the
// upgrade, leaving the cluster where an uninterrupted run leaves it, without rolling any node group
// more often than that run does and without starting any step's update twice.
//
// Abort points: every task of the seed run (37 tasks, so 37 points, today); for multi-hop (265 tasks
// today, most of them polls of updates whose durations the simulator draws) every task that starts
// an update (the update is in flight when the first run stops: 30), every check that ends a
// control-plane hop (the hop is done, its add-ons and node groups are not: 6) and every 20th task:
// 47 distinct points today. Each point costs two runs (~1 s for multi-hop, more on a busy machine).

interface ResumeCase {
  scenario: string;
  input: { clusterName: string; targetVersion: string; replaceAl2?: { amiType: string } };
  /** Which abort points (1-based task counts) to try, given the uninterrupted run's tasks. */
  abortPoints: (tasks: TaskRecord[]) => number[];
}

const everyTask = (tasks: TaskRecord[]) => tasks.map((_, index) => index + 1);

function sampledTasks(tasks: TaskRecord[]): number[] {
  const points = new Set<number>();
  tasks.forEach((task, index) => {
    const n = index + 1;
    const status = (task.output as { status?: unknown } | undefined)?.status;
    if (task.state.startsWith('Update ')) points.add(n);
    if (task.state === 'Check Control Plane Update' && status !== 'InProgress') points.add(n);
    if (n % 20 === 0) points.add(n);
  });
  return [...points].sort((a, b) => a - b);
}

const cases: ResumeCase[] = [
  {
    scenario: 'seed',
    input: { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' },
    abortPoints: everyTask,
  },
  {
    scenario: 'multi-hop',
    input: { clusterName: 'legacy-cluster', targetVersion: '1.30' },
    abortPoints: sampledTasks,
  },
  {
    // Stopped while a replacement is being created, or its old group deleted, or between the two.
    scenario: 'al2-to-al2023',
    input: {
      clusterName: 'legacy-al2-cluster',
      targetVersion: '1.34',
      replaceAl2: { amiType: 'AL2023_x86_64_STANDARD' },
    },
    abortPoints: (tasks) =>
      [
        ...new Set([
          ...tasks.flatMap((task, index) => (task.state === 'Replace Node Group' ? [index + 1] : [])),
          ...sampledTasks(tasks),
        ]),
      ].sort((a, b) => a - b),
  },
];

interface EndState {
  version: string;
  nodegroups: string[];
  addons: string[];
  /** Node group -> how many updates it went through (each a full rolling replacement). */
  rotations: Map<string, number>;
}

function endState(aws: LocalAws, clusterName: string): EndState {
  const cluster = aws.simulator.snapshot().clusters.find((candidate) => candidate.name === clusterName);
  if (!cluster) throw new Error(`cluster ${clusterName} is gone`);
  return {
    version: cluster.version,
    nodegroups: cluster.nodegroups.map((ng) => `${ng.name} ${ng.version} ${ng.releaseVersion} ${ng.status}`),
    addons: (cluster.addons ?? []).map(
      (addon) => `${addon.name} ${addon.version}${addon.compatible ? '' : ' (incompatible)'}`,
    ),
    rotations: new Map(
      cluster.nodegroups.map((ng) => [
        ng.name,
        cluster.updates.filter((update) => update.nodegroupName === ng.name).length,
      ]),
    ),
  };
}

/**
 * Stands in for StopExecution's "no new state starts": once `after` tasks have ended, any task the
 * stopped execution still starts is refused before it runs. The local engine's abort lets a Map
 * start its remaining iterations' first state (Update Node Group) after the abort, all at once,
 * which no real stopped execution does (reported with the harness).
 */
function stopAfter(after: number): TaskWrapper {
  let ended = 0;
  return (_state: string, run: TaskHandler): TaskHandler =>
    async (input) => {
      if (ended >= after) throw namedError('States.Runtime', 'the execution was stopped');
      try {
        return await run(input);
      } finally {
        ended += 1;
      }
    };
}

/** What went wrong when resuming after `abortAfter` tasks; empty when the resume was clean. */
async function resumeProblems(
  testCase: ResumeCase,
  abortAfter: number,
  reference: EndState,
  taskName: string,
): Promise<string[]> {
  const aws = await LocalAws.start(loadScenario(testCase.scenario));
  try {
    const before = aws.simulator.snapshot();
    const first = await aws.execute(testCase.input, {
      executionName: 'run-1',
      abortAfterTasks: abortAfter,
      wrapTask: stopAfter(abortAfter),
    });
    const second = await aws.execute(testCase.input, { executionName: 'run-2' });
    const at = `abort after task ${abortAfter} (${taskName})`;
    const problems: string[] = [];
    if (first.status === 'FAILED') problems.push(`${at}: run-1 FAILED ${first.error}: ${first.cause}`);
    if (second.status !== 'SUCCEEDED') {
      problems.push(`${at}: run-2 ${second.status} ${second.error}: ${second.cause}`);
    }
    const end = endState(aws, testCase.input.clusterName);
    for (const key of ['version', 'nodegroups', 'addons'] as const) {
      const got = JSON.stringify(end[key]);
      const want = JSON.stringify(reference[key]);
      if (got !== want)
        problems.push(`${at}: ended with ${key} ${got}, an uninterrupted run ends with ${want}`);
    }
    for (const [nodegroup, rotations] of end.rotations) {
      const allowed = reference.rotations.get(nodegroup) ?? 0;
      if (rotations > allowed)
        problems.push(`${at}: node group ${nodegroup} rolled ${rotations} times, uninterrupted ${allowed}`);
    }
    // No step updated twice: one update per resource and target version, over both runs.
    const steps = new Map<string, number>();
    for (const update of aws.simulator.snapshot().clusters.find((c) => c.name === testCase.input.clusterName)
      ?.updates ?? []) {
      if (update.startedBy !== 'client') continue;
      const to = update.params.find((p) => p.type === 'Version' || p.type === 'AddonVersion')?.value;
      const step = `${update.nodegroupName ?? update.addonName ?? 'control plane'} -> ${to}`;
      steps.set(step, (steps.get(step) ?? 0) + 1);
    }
    for (const [step, times] of steps)
      if (times > 1) problems.push(`${at}: ${step} was started ${times} times`);
    const violations = checkInvariants({
      clusterName: testCase.input.clusterName,
      before,
      after: aws.simulator.snapshot(),
      requestLog: aws.simulator.requestLog,
      dryRun: false,
      maxConcurrentNodegroups: 1,
      // run-2 meets the update run-1 left running: EKS answers 409 and run-2 adopts it.
      expectedErrors: ['ResourceInUseException'],
    });
    problems.push(...violations.map((violation) => `${at}: ${violation}`));
    return problems;
  } finally {
    await aws.close();
  }
}

describe('resuming an upgrade after the execution stopped', () => {
  it.each(cases)(
    '$scenario: a second execution finishes what a stopped one began, from any abort point',
    async (testCase) => {
      const aws = await LocalAws.start(loadScenario(testCase.scenario));
      let uninterrupted: Awaited<ReturnType<LocalAws['execute']>>;
      let reference: EndState;
      try {
        uninterrupted = await aws.execute(testCase.input, { executionName: 'run-1' });
        reference = endState(aws, testCase.input.clusterName);
      } finally {
        await aws.close();
      }
      expect(uninterrupted.status).toBe('SUCCEEDED');
      expect(reference.version).toBe(testCase.input.targetVersion);

      const points = testCase.abortPoints(uninterrupted.tasks);
      const problems: string[] = [];
      for (const point of points) {
        const taskName = uninterrupted.tasks[point - 1]?.state ?? '?';
        problems.push(...(await resumeProblems(testCase, point, reference, taskName)));
      }
      expect(problems).toEqual([]);
    },
    300_000,
  );
});
