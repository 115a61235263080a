import { SFNClient } from '@aws-sdk/client-sfn';
import { makeHandler, requiredEnvironment, stepClient } from '../shared/handler-kit.ts';
import { type WaveGateEvent, waveGate } from './wave-gate.ts';

const sfn = stepClient(new SFNClient({}));
const stateMachineArn = requiredEnvironment('UPGRADE_STATE_MACHINE_ARN');

export const handler = makeHandler((event: WaveGateEvent) => waveGate(event, { sfn, stateMachineArn }));
