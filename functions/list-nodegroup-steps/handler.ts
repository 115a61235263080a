import { makeHandler } from '../shared/handler-kit.ts';
import { type ListNodegroupStepsEvent, listNodegroupSteps } from './list-nodegroup-steps.ts';

export const handler = makeHandler(async (input: ListNodegroupStepsEvent) => listNodegroupSteps(input));
