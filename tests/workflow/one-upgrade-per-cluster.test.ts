import { describe, expect, it } from 'vitest';
import { workflowErrorNames } from '../../functions/shared/errors.ts';
import { checkInvariants } from '../../local/harness/invariants.ts';
import { type ExecutionResult, LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario, type UpdateRecord } from '../../local/simulator/index.ts';
import { clusterState, updateTarget } from './helpers.ts';

// Two executions for the same cluster, started together with different names (two schedules firing at
// once, an AMI release during a window, a person starting one by hand). One upgrade per cluster: each
// execution's plan lists the running executions of the state machine, and one for the same cluster
// started earlier (in the same instant: first by name) refuses it with ClusterBusyError before any
// change. What the one that goes on meets is what any run meets: the updates it plans, each once.

interface Case {
  scenario: string;
  input: { clusterName: string; targetVersion?: string } & Record<string, unknown>;
  /** The version every node group and the control plane end on. */
  target: string;
}

const cases: Case[] = [
  // The four-node-group case first: the harness's fake clock restarts timer ids with each LocalAws, so
  // a stale clearTimeout from an earlier run in the process can cancel a Wait of a later one (a stall,
  // reported); after seed and multi-hop this case stalled. Its outcome does not depend on the order.
  {
    scenario: 'four-nodegroups',
    input: { clusterName: 'prod-cluster', targetVersion: '1.30', maxConcurrentNodegroups: 4 },
    target: '1.30',
  },
  { scenario: 'seed', input: { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' }, target: '1.19' },
  { scenario: 'multi-hop', input: { clusterName: 'legacy-cluster', targetVersion: '1.30' }, target: '1.30' },
  {
    scenario: 'insight-blocked',
    input: { clusterName: 'blocked-cluster', targetVersion: '1.29', acceptInsightErrors: true },
    target: '1.29',
  },
  { scenario: 'ami-refresh', input: { clusterName: 'refresh-cluster' }, target: '1.32' },
];

const namedErrors: ReadonlySet<string> = new Set(workflowErrorNames);

interface StepOutput {
  kind: string;
  nodegroupName?: string;
  addonName?: string;
  target: string;
  updateId: string | null;
  status: string;
  adopted: boolean;
}

interface PlanOutput {
  stages: Array<{
    controlPlane: { to: string } | null;
    addons: Array<{ name: string; to: string }>;
    rolls: Array<{
      nodegroups: string[];
      toVersion: string | null;
      launchTemplate: { version?: string } | null;
    }>;
  }>;
}

function isStepOutput(value: unknown): value is StepOutput {
  return typeof value === 'object' && value !== null && 'kind' in value && 'updateId' in value;
}

function isPlan(value: unknown): value is PlanOutput {
  return typeof value === 'object' && value !== null && 'stages' in value && Array.isArray(value.stages);
}

/** "add-on vpc-cni -> v1.17.1-eksbuild.1": one planned move of one resource. */
function plannedSteps(plan: PlanOutput): string[] {
  return plan.stages.flatMap((stage) => [
    ...(stage.controlPlane ? [`control plane -> ${stage.controlPlane.to}`] : []),
    ...stage.addons.map((addon) => `add-on ${addon.name} -> ${addon.to}`),
    ...stage.rolls.flatMap((roll) =>
      roll.nodegroups.map(
        (name) =>
          `node group ${name} -> ${roll.toVersion ?? `launch template ${roll.launchTemplate?.version ?? '?'}`}`,
      ),
    ),
  ]);
}

function stepOfUpdate(update: UpdateRecord): string {
  const param = (type: string) => update.params.find((p) => p.type === type)?.value;
  const to =
    param('Version') ?? param('AddonVersion') ?? `launch template ${param('LaunchTemplateVersion') ?? '?'}`;
  return `${updateTarget(update)} -> ${to}`;
}

/** Each step output of an execution's update tasks, with the execution's name. */
function stepOutputs(execution: ExecutionResult) {
  return execution.tasks.flatMap((task) =>
    task.state.startsWith('Update ') && isStepOutput(task.output)
      ? [{ execution: execution.executionName, output: task.output }]
      : [],
  );
}

/** Version order of add-on versions ("v1.18.6-eksbuild.1" < "v1.19.2-eksbuild.5"), kept apart from the product's. */
function versionParts(version: string): number[] {
  return (version.match(/\d+/g) ?? []).map(Number);
}
function isOlder(a: string, b: string): boolean {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

/**
 * Conflicting updates the two executions issued, one sentence each: a planned step updated twice, an
 * update nobody planned, or a resource sent back to an older version than an earlier update left it.
 */
function conflicts(planned: string[], updates: UpdateRecord[]): string[] {
  const found: string[] = [];
  const made = updates.map(stepOfUpdate);
  for (const step of new Set(made)) {
    const times = made.filter((candidate) => candidate === step).length;
    if (times > 1) found.push(`${step}: started ${times} times`);
    if (!planned.includes(step)) found.push(`${step}: not in the plan`);
  }
  for (const step of planned) if (!made.includes(step)) found.push(`${step}: planned, never started`);
  const reached = new Map<string, string>();
  for (const [index, update] of updates.entries()) {
    const resource = updateTarget(update);
    const to = stepOfUpdate(update).split(' -> ')[1] ?? '';
    const before = reached.get(resource);
    if (before && isOlder(to, before)) {
      found.push(`${resource}: update ${index + 1} sent it back from ${before} to ${to}`);
    }
    if (!before || isOlder(before, to)) reached.set(resource, to);
  }
  return found;
}

describe('two executions for one cluster, started together', () => {
  it.each(cases)(
    '$scenario: the first upgrades, the other waits its turn and starts no update',
    async (testCase) => {
      const aws = await LocalAws.start(loadScenario(testCase.scenario));
      try {
        const before = aws.simulator.snapshot();
        const executions = await aws.executeTogether([
          { input: testCase.input, options: { executionName: 'upgrade-a' } },
          { input: testCase.input, options: { executionName: 'upgrade-b' } },
        ]);

        // One upgrade per cluster: started in the same instant, the first by name goes on; the other
        // waits its turn (ClusterBusyError, retried for up to two hours), then finds nothing left to
        // do, or is refused by name when the first takes longer. Either way it starts no update.
        const [first, second] = executions;
        expect(first?.status).toBe('SUCCEEDED');
        const waits = second?.tasks.filter((task) => task.error?.name === 'ClusterBusyError') ?? [];
        expect(waits.length).toBeGreaterThan(0);
        if (second?.status === 'FAILED') {
          expect(second).toMatchObject({ error: 'ClusterBusyError' });
          expect(namedErrors).toContain(second.error);
          expect(second.cause).toContain('is being upgraded by execution upgrade-a');
          expect(waits).toHaveLength(13);
        } else {
          expect(second?.status).toBe('SUCCEEDED');
        }
        const started = (second?.tasks ?? []).filter(
          (task) => isStepOutput(task.output) && task.output.updateId && !task.output.adopted,
        );
        expect(started.filter((task) => (task.output as StepOutput).status === 'InProgress')).toEqual([]);

        // Each planned step was started exactly once.
        const plans = executions.map((execution) => execution.tasks.find((t) => t.state === 'Plan Upgrade'));
        const planned = plans.map((task) => (isPlan(task?.output) ? plannedSteps(task.output) : []));
        planned[0] = planned[0] ?? [];
        const updates = clusterState(aws, testCase.input.clusterName).updates;
        expect(conflicts(planned[0] ?? [], updates), 'conflicting updates').toEqual([]);
        expect(
          updates.every((update) => update.startedBy === 'client' && update.status === 'Successful'),
        ).toBe(true);

        // Whoever did not start an update either followed that very update or found its step done.
        const outputs = executions.flatMap(stepOutputs);
        for (const update of updates) {
          const starters = outputs.filter(
            ({ output }) =>
              output.updateId === update.id && !output.adopted && output.status === 'InProgress',
          );
          expect(starters, `${stepOfUpdate(update)} started by`).toHaveLength(1);
        }
        for (const { execution, output } of outputs.filter(({ output }) => output.adopted)) {
          const adopted = updates.find((update) => update.id === output.updateId);
          expect(adopted, `${execution} adopted ${output.updateId}`).toBeDefined();
          expect(adopted && stepOfUpdate(adopted)).toContain(`-> ${output.target}`);
        }

        // The 409s EKS answered were the adoption handshake, nothing else.
        const refusals = aws.simulator.requestLog.filter((request) => request.errorCode);
        expect(new Set(refusals.map((request) => request.errorCode))).toEqual(
          new Set(refusals.length > 0 ? ['ResourceInUseException'] : []),
        );

        const cluster = clusterState(aws, testCase.input.clusterName);
        expect(cluster.version).toBe(testCase.target);
        for (const nodegroup of cluster.nodegroups.filter((ng) => !ng.releaseVersion.startsWith('ami-'))) {
          expect(nodegroup.version, nodegroup.name).toBe(testCase.target);
        }
        const maxConcurrent = testCase.input.maxConcurrentNodegroups;
        expect(
          checkInvariants({
            clusterName: testCase.input.clusterName,
            before,
            after: aws.simulator.snapshot(),
            requestLog: aws.simulator.requestLog,
            dryRun: false,
            maxConcurrentNodegroups: typeof maxConcurrent === 'number' ? maxConcurrent : 1,
            expectedErrors: ['ResourceInUseException'],
          }),
          'invariants',
        ).toEqual([]);
      } finally {
        await aws.close();
      }
    },
  );
});
