import { makeHandler } from '../shared/handler-kit.ts';
import { type CloseStageEvent, closeStage } from './close-stage.ts';

export const handler = makeHandler(async (input: CloseStageEvent) => closeStage(input));
