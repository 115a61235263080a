import { makeHandler } from '../shared/handler-kit.ts';
import type { CaughtError } from '../shared/step-failure.ts';
import { explainFailure } from './explain-failure.ts';

export const handler = makeHandler(async (input: CaughtError) => explainFailure(input));
