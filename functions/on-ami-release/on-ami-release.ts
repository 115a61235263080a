import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { isAwsError } from '../shared/errors.ts';
import { executionNameFor } from '../shared/fleet.ts';

export interface OnAmiReleaseDeps {
  sfn: SFNClient;
  /** The upgrade-fleet state machine: a refresh runs through its concurrency, like a window. */
  fleetStateMachineArn: string;
  /** Clusters this stack may refresh; a message naming others is refused for them. */
  fleet: string[];
  /** `now`: a fleet run at once, one window long; `window`: nothing now, the next window refreshes. */
  policy: 'now' | 'window';
  windowMinutes: number;
  maxConcurrentClusters: number;
  now: () => Date;
  log: (message: string, details: Record<string, unknown>) => void;
}

const clusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/);

/** The message Watch AMI Releases publishes (or any publisher that speaks it). */
const releaseMessage = z
  .object({
    kubernetesVersion: z.string().regex(/^\d+\.\d+$/),
    amiType: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
    releaseVersion: z.string().regex(/^\d+\.\d+\.\d+-\d{8}$/),
    clusters: z.array(clusterName).max(1000).optional(),
  })
  .strip();

/** The part of an SNS event a Lambda subscriber gets that this function reads. */
const snsEvent = z.object({
  Records: z.array(z.object({ Sns: z.object({ MessageId: z.string(), Message: z.string() }) })).max(100),
});

export interface OnAmiReleaseResult {
  started: string[];
  alreadyStarted: string[];
  /** Releases left to the next upgrade window (policy `window`). */
  leftToWindow: string[];
  rejected: Array<{ messageId: string; reason: string }>;
}

/**
 * Refreshes the clusters a new release concerns through the fleet state machine: one fleet run per
 * release, whose concurrency (MaxConcurrentClusters) and one-window deadline bound it like a window;
 * each cluster's execution honours the one-upgrade-per-cluster rule. The fleet run's name comes from
 * the release, so a duplicate delivery starts nothing (ExecutionAlreadyExists is success). With the
 * `window` policy nothing starts: the next window refreshes. A malformed message is logged with its
 * reason and dropped: retrying cannot fix it.
 */
export async function onAmiRelease(event: unknown, deps: OnAmiReleaseDeps): Promise<OnAmiReleaseResult> {
  const result: OnAmiReleaseResult = { started: [], alreadyStarted: [], leftToWindow: [], rejected: [] };
  const parsedEvent = snsEvent.safeParse(event);
  if (!parsedEvent.success) {
    result.rejected.push({ messageId: 'unknown', reason: 'not an SNS event' });
    deps.log('Dropped an event that is not an SNS notification', {
      reason: parsedEvent.error.message.slice(0, 500),
    });
    return result;
  }
  for (const { Sns } of parsedEvent.data.Records) {
    const message = parseMessage(Sns.Message);
    if (!message.success) {
      result.rejected.push({ messageId: Sns.MessageId, reason: message.reason });
      deps.log('Dropped a malformed AMI release message', {
        messageId: Sns.MessageId,
        reason: message.reason,
      });
      continue;
    }
    const { releaseVersion, clusters = deps.fleet } = message.data;
    const members = clusters.filter((cluster) => {
      if (deps.fleet.includes(cluster)) return true;
      result.rejected.push({
        messageId: Sns.MessageId,
        reason: `cluster ${cluster} is not in this stack's fleet`,
      });
      deps.log('Refused a cluster outside the fleet', { messageId: Sns.MessageId, cluster });
      return false;
    });
    if (members.length === 0) continue;
    if (deps.policy === 'window') {
      result.leftToWindow.push(releaseVersion);
      continue;
    }
    const name = executionNameFor(`ami-${releaseVersion}`, [...members].sort().join(','));
    try {
      await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deps.fleetStateMachineArn,
          name,
          input: JSON.stringify({
            // "ami": no target version, each node group onto the recommended release for its version.
            clusters: members.map((cluster) => `${cluster}=ami`).join(','),
            window: { start: deps.now().toISOString(), minutes: deps.windowMinutes },
            maxConcurrentClusters: deps.maxConcurrentClusters,
            // Its cluster executions never take the name of a window's that starts in the same minute.
            runKey: `ami-${releaseVersion}`,
          }),
        }),
      );
      result.started.push(name);
    } catch (error) {
      if (!isAwsError(error, 'ExecutionAlreadyExists')) throw error;
      result.alreadyStarted.push(name);
    }
  }
  return result;
}

function parseMessage(
  text: string,
): { success: true; data: z.infer<typeof releaseMessage> } | { success: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { success: false, reason: 'the message is not JSON' };
  }
  const parsed = releaseMessage.safeParse(json);
  if (parsed.success) return { success: true, data: parsed.data };
  return {
    success: false,
    reason: parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`)
      .join('; '),
  };
}
