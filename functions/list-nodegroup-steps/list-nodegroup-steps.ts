import { type NodegroupStep, nodegroupSteps, type PlanStage } from '../shared/types.ts';

/**
 * A stage's rolls as one list of node group steps, so that one Map rolls them all under
 * maxConcurrentNodegroups (the plan keeps them grouped: small enough for a hundred node groups).
 */
export function listNodegroupSteps(stage: Pick<PlanStage, 'rolls'>): NodegroupStep[] {
  return nodegroupSteps(stage);
}
