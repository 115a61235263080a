import { SFNClient } from '@aws-sdk/client-sfn';
import { parseFleetSpec } from '../shared/fleet.ts';
import { logger, makeHandler, requiredEnvironment, stepClient } from '../shared/handler-kit.ts';
import { onAmiRelease } from './on-ami-release.ts';

const sfn = stepClient(new SFNClient({}));
const fleetStateMachineArn = requiredEnvironment('UPGRADE_FLEET_STATE_MACHINE_ARN');
const fleet = parseFleetSpec(process.env.FLEET_CLUSTERS ?? '').map((member) => member.clusterName);
const policy = process.env.AMI_RELEASE_REFRESH === 'window' ? 'window' : 'now';
const windowMinutes = Number(requiredEnvironment('UPGRADE_WINDOW_MINUTES'));
const maxConcurrentClusters = Number(requiredEnvironment('MAX_CONCURRENT_CLUSTERS'));

export const handler = makeHandler((event: unknown) =>
  onAmiRelease(event, {
    sfn,
    fleetStateMachineArn,
    fleet,
    policy,
    windowMinutes,
    maxConcurrentClusters,
    now: () => new Date(),
    log: (message, details) => logger.warn(message, details),
  }),
);
