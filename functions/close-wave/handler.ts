import { makeHandler } from '../shared/handler-kit.ts';
import { type CloseWaveEvent, closeWave } from './close-wave.ts';

export const handler = makeHandler(async (event: CloseWaveEvent) => closeWave(event));
