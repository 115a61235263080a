import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { isAwsError } from '../shared/errors.ts';
import { executionNameFor } from '../shared/fleet.ts';

export interface OnAmiReleaseDeps {
  sfn: SFNClient;
  /** The upgrade-cluster state machine. */
  stateMachineArn: string;
  /** Clusters this stack may refresh; a message naming others is refused for them. */
  fleet: string[];
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
  rejected: Array<{ messageId: string; reason: string }>;
}

/**
 * Starts an AMI-refresh execution per cluster a new release concerns. The execution name comes
 * from cluster and release, so a duplicate delivery starts nothing (ExecutionAlreadyExists is
 * success). A malformed message is logged with its reason and dropped: retrying cannot fix it.
 */
export async function onAmiRelease(event: unknown, deps: OnAmiReleaseDeps): Promise<OnAmiReleaseResult> {
  const result: OnAmiReleaseResult = { started: [], alreadyStarted: [], rejected: [] };
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
    for (const cluster of clusters) {
      if (!deps.fleet.includes(cluster)) {
        result.rejected.push({
          messageId: Sns.MessageId,
          reason: `cluster ${cluster} is not in this stack's fleet`,
        });
        deps.log('Refused a cluster outside the fleet', { messageId: Sns.MessageId, cluster });
        continue;
      }
      const name = executionNameFor(cluster, `ami-${releaseVersion}`);
      try {
        await deps.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: deps.stateMachineArn,
            name,
            // No target version: roll each node group onto the recommended release for its version.
            input: JSON.stringify({ clusterName: cluster }),
          }),
        );
        result.started.push(name);
      } catch (error) {
        if (!isAwsError(error, 'ExecutionAlreadyExists')) throw error;
        result.alreadyStarted.push(name);
      }
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
