import { EKSClient } from '@aws-sdk/client-eks';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseFleetSpec } from '../shared/fleet.ts';
import { makeHandler, requiredEnvironment, stepClient } from '../shared/handler-kit.ts';
import { watchAmiReleases } from './watch-ami-releases.ts';

const eks = stepClient(new EKSClient({}));
const ssm = stepClient(new SSMClient({}));
const sns = stepClient(new SNSClient({}));
const topicArn = requiredEnvironment('AMI_RELEASE_TOPIC_ARN');
// An empty fleet list is allowed: the watcher then has nothing to watch.
const clusterNames = parseFleetSpec(process.env.FLEET_CLUSTERS ?? '').map((member) => member.clusterName);
const everyMinutes = Number(requiredEnvironment('WATCH_EVERY_MINUTES'));

/** The watch's interval: up to its scheduled time (the schedule's input; by hand: now), one period long. */
function intervalOf(event: unknown): { announceSince: Date; announceUntil: Date } {
  const scheduled =
    typeof event === 'object' && event !== null && 'scheduledTime' in event
      ? Date.parse(String(event.scheduledTime))
      : Number.NaN;
  const until = Number.isNaN(scheduled) ? Date.now() : scheduled;
  return { announceSince: new Date(until - everyMinutes * 60_000), announceUntil: new Date(until) };
}

/** The schedule's event; `{"dryRun": true}` (by hand) says what would be announced and announces nothing. */
export const handler = makeHandler((event: unknown) =>
  watchAmiReleases(
    { eks, ssm, sns, topicArn, clusterNames, ...intervalOf(event) },
    { dryRun: typeof event === 'object' && event !== null && 'dryRun' in event && event.dryRun === true },
  ),
);
