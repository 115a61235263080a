import { createHash } from 'node:crypto';
import { type NodegroupStep, nodegroupSteps, type PlanStage } from '../shared/types.ts';

export interface ListNodegroupStepsEvent extends Pick<PlanStage, 'rolls'> {
  executionName: string;
  stageIndex: number;
  redriveCount: number;
}

/** A node group step with the name its roll executions take (the poll budget is appended to it). */
export type NamedNodegroupStep = NodegroupStep & { rollName: string };

/** Room left in an 80-character execution name for "-" and the poll budget (up to six digits). */
const rollNameLength = 73;

/**
 * A stage's rolls as one list of node group steps, so that one Map rolls them all under
 * maxConcurrentNodegroups (the plan keeps them grouped: small enough for a hundred node groups).
 * Each roll's name is the node group's, with a hash of the upgrade, stage and redrive count: the
 * same on a retried start, never the same across upgrades, stages or redrives.
 */
export function listNodegroupSteps(event: ListNodegroupStepsEvent): NamedNodegroupStep[] {
  return nodegroupSteps(event).map((step) => {
    const hash = createHash('sha256')
      .update(`${event.executionName}\n${event.stageIndex}\n${event.redriveCount}\n${step.name}`)
      .digest('hex')
      .slice(0, 10);
    return { ...step, rollName: `${step.name.slice(0, rollNameLength - hash.length - 1)}-${hash}` };
  });
}
