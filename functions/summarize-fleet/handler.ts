import { makeHandler } from '../shared/handler-kit.ts';
import { summarizeFleet } from './summarize-fleet.ts';

export const handler = makeHandler(async (input: unknown) => summarizeFleet(input));
