import { makeHandler } from '../shared/handler-kit.ts';
import { type ExplainFailureEvent, explainFailure } from './explain-failure.ts';

export const handler = makeHandler(async (input: ExplainFailureEvent) => explainFailure(input));
