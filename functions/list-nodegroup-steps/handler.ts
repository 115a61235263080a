import { makeHandler } from '../shared/handler-kit.ts';
import type { PlanStage } from '../shared/types.ts';
import { listNodegroupSteps } from './list-nodegroup-steps.ts';

export const handler = makeHandler(async (input: Pick<PlanStage, 'rolls'>) => listNodegroupSteps(input));
