import { EKSClient } from '@aws-sdk/client-eks';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseFleetSpec } from '../shared/fleet.ts';
import { makeHandler, requiredEnvironment } from '../shared/handler-kit.ts';
import { watchAmiReleases } from './watch-ami-releases.ts';

const eks = new EKSClient({});
const ssm = new SSMClient({});
const sns = new SNSClient({});
const topicArn = requiredEnvironment('AMI_RELEASE_TOPIC_ARN');
// An empty fleet list is allowed: the watcher then has nothing to watch.
const clusterNames = parseFleetSpec(process.env.FLEET_CLUSTERS ?? '').map((member) => member.clusterName);
const everyMinutes = Number(requiredEnvironment('WATCH_EVERY_MINUTES'));

/** The schedule's event; `{"dryRun": true}` (by hand) says what would be announced and announces nothing. */
export const handler = makeHandler((event: unknown) =>
  watchAmiReleases(
    { eks, ssm, sns, topicArn, clusterNames, announceSince: new Date(Date.now() - everyMinutes * 60_000) },
    { dryRun: typeof event === 'object' && event !== null && 'dryRun' in event && event.dryRun === true },
  ),
);
