import { SFNClient } from '@aws-sdk/client-sfn';
import { parseFleetSpec } from '../shared/fleet.ts';
import { logger, makeHandler, requiredEnvironment } from '../shared/handler-kit.ts';
import { onAmiRelease } from './on-ami-release.ts';

const sfn = new SFNClient({});
const stateMachineArn = requiredEnvironment('UPGRADE_CLUSTER_STATE_MACHINE_ARN');
const fleet = parseFleetSpec(process.env.FLEET_CLUSTERS ?? '').map((member) => member.clusterName);

export const handler = makeHandler((event: unknown) =>
  onAmiRelease(event, {
    sfn,
    stateMachineArn,
    fleet,
    log: (message, details) => logger.warn(message, details),
  }),
);
