// The naive baseline: the same handlers and the same state machine, driven the way a first script
// would drive them: fixed 30-second polling, one node group at a time, every node group rolled at
// every hop.

import { nodegroupStep, rollsOf } from '../functions/plan-upgrade/build-plan.ts';
import { nodegroupSteps, type PlanStage, type UpgradePlan } from '../functions/shared/types.ts';
import type { TaskWrapper } from '../local/harness/bind-tasks.ts';

export const naivePollSeconds = 30;

/** Every Wait state of a definition, nested Map and Parallel states included. */
export function waitStates(definition: unknown): string[] {
  if (typeof definition !== 'object' || definition === null || !('States' in definition)) return [];
  const states = definition.States;
  if (typeof states !== 'object' || states === null) return [];
  return Object.entries(states).flatMap(([name, state]: [string, unknown]) => {
    if (typeof state !== 'object' || state === null) return [];
    const nested = [
      'ItemProcessor' in state ? state.ItemProcessor : undefined,
      'Iterator' in state ? state.Iterator : undefined,
      ...('Branches' in state && Array.isArray(state.Branches) ? state.Branches : []),
    ];
    return [...('Type' in state && state.Type === 'Wait' ? [name] : []), ...nested.flatMap(waitStates)];
  });
}

/** Holds every Wait state of the definition for the same fixed number of seconds. */
export function fixedWaits(definition: unknown, seconds = naivePollSeconds): Record<string, number> {
  return Object.fromEntries(waitStates(definition).map((state) => [state, seconds]));
}

/** True for an object shaped like the Plan Upgrade output (stages, node groups, expected end state). */
export function isUpgradePlan(value: unknown): value is UpgradePlan {
  if (typeof value !== 'object' || value === null) return false;
  if (!('stages' in value) || !Array.isArray(value.stages)) return false;
  if (!('nodegroups' in value) || !Array.isArray(value.nodegroups)) return false;
  return 'expected' in value && typeof value.expected === 'object' && value.expected !== null;
}

/** The parts of a plan the naive rewrite reads and changes. */
export type NaivePlanInput = Pick<
  UpgradePlan,
  'stages' | 'nodegroups' | 'expected' | 'maxConcurrentNodegroups'
>;

/**
 * The plan a naive runner would follow: in every hop stage (and in a run's only stage, an AMI
 * refresh), every node group the plan covers rolls to that stage's version, one at a time. The last
 * stage keeps the release each node group ends on, so the cluster ends where the real plan puts it.
 * Custom-AMI node groups keep the plan's launch-template steps (EKS cannot change their version);
 * non-hop stages before the first hop (skew-forced pre-rolls) stay as planned.
 */
export function naivePlan<Plan extends NaivePlanInput>(plan: Plan): Plan {
  const movable = plan.nodegroups.filter((nodegroup) => !nodegroup.customAmi);
  const lastIndex = plan.stages.length - 1;
  const stages = plan.stages.map((stage, index): PlanStage => {
    const isLast = index === lastIndex;
    if (!stage.controlPlane && !isLast) return stage;
    const steps = nodegroupSteps(stage);
    const keptLaunchTemplateMoves = steps.filter((step) => step.toVersion === null);
    const rolls = movable.map((nodegroup) => {
      const version = stage.controlPlane?.to ?? nodegroup.currentVersion;
      if (!isLast) return nodegroupStep(nodegroup, version, null, 'skew');
      const planned = steps.find((step) => step.name === nodegroup.name && step.toVersion !== null);
      const expected = plan.expected.nodegroups.find((end) => end.name === nodegroup.name);
      const release =
        planned?.releaseVersion ?? (expected?.version === version ? expected.releaseVersion : null);
      return nodegroupStep(nodegroup, version, release, stage.controlPlane ? 'final' : 'ami-refresh');
    });
    return { ...stage, rolls: rollsOf([...rolls, ...keptLaunchTemplateMoves]) };
  });
  return { ...plan, stages, maxConcurrentNodegroups: 1 };
}

/** A task wrapper that rewrites what Plan Upgrade returns into the naive plan, and keeps the original. */
export function naivePlanRewriter(keep: (original: UpgradePlan) => void = () => undefined): TaskWrapper {
  return (state, run) => {
    if (state !== 'Plan Upgrade') return run;
    return async (input) => {
      const output = await run(input);
      if (!isUpgradePlan(output)) return output;
      keep(output);
      // A JSON round trip: the engine gets plain JSON, as it would from Lambda.
      return JSON.parse(JSON.stringify(naivePlan(output)));
    };
  };
}
