import { SFNClient } from '@aws-sdk/client-sfn';
import { makeHandler, requiredEnvironment } from '../shared/handler-kit.ts';
import { type WaveGateEvent, waveGate } from './wave-gate.ts';

const sfn = new SFNClient({});
const executionArnPrefix = requiredEnvironment('UPGRADE_CLUSTER_EXECUTION_ARN_PREFIX');

export const handler = makeHandler((event: WaveGateEvent) => waveGate(event, { sfn, executionArnPrefix }));
