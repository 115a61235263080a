import { DescribeNodegroupCommand, type EKSClient, paginateListNodegroups } from '@aws-sdk/client-eks';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { recommendedReleaseParameter } from '../shared/ami-types.ts';
import { isAwsError } from '../shared/errors.ts';
import { compareReleases } from '../shared/release-versions.ts';

export interface WatchAmiReleasesDeps {
  eks: EKSClient;
  ssm: SSMClient;
  sns: SNSClient;
  /** The project's AmiReleaseTopic. */
  topicArn: string;
  clusterNames: string[];
  /** This watch's interval, (previous scheduled time, this one]: a release is announced once, by the watch whose interval it was published in. */
  announceSince: Date;
  announceUntil: Date;
}

/** What On AMI Release reads: one new release, and the clusters with a node group behind it. */
export interface AmiReleaseMessage {
  kubernetesVersion: string;
  amiType: string;
  releaseVersion: string;
  clusters: string[];
}

/**
 * AWS publishes no notification for new EKS-optimized AMIs, so this reads the recommended release
 * (public SSM parameter) for each Kubernetes version and AMI type the fleet's node groups run, and
 * publishes one message per release that some node group is behind, once: when the parameter
 * changed since the previous watch (in a dry run: says which, publishes none). A node group still
 * behind later (its refresh failed or was deferred) is the next upgrade window's to roll.
 */
export async function watchAmiReleases(
  deps: WatchAmiReleasesDeps,
  options: { dryRun: boolean } = { dryRun: false },
): Promise<{ published: AmiReleaseMessage[]; dryRun: boolean }> {
  // "1.32/AL2023_x86_64_STANDARD" -> the release each cluster's node groups of that kind run.
  const inUse = new Map<string, Array<{ clusterName: string; releaseVersion: string }>>();
  for (const clusterName of deps.clusterNames) {
    for await (const page of paginateListNodegroups({ client: deps.eks }, { clusterName })) {
      for (const nodegroupName of page.nodegroups ?? []) {
        const { nodegroup } = await deps.eks.send(
          new DescribeNodegroupCommand({ clusterName, nodegroupName }),
        );
        if (!nodegroup?.version || !nodegroup.amiType || !nodegroup.releaseVersion) continue;
        const key = `${nodegroup.version}/${nodegroup.amiType}`;
        inUse.set(key, [
          ...(inUse.get(key) ?? []),
          { clusterName, releaseVersion: nodegroup.releaseVersion },
        ]);
      }
    }
  }

  const published: AmiReleaseMessage[] = [];
  for (const [key, running] of inUse) {
    const [kubernetesVersion = '', amiType = ''] = key.split('/');
    const name = recommendedReleaseParameter(kubernetesVersion, amiType);
    if (!name) continue;
    const recommended = await readParameter(deps.ssm, name);
    const changedAt = recommended?.lastModified ?? 0;
    if (!recommended || changedAt <= deps.announceSince.getTime() || changedAt > deps.announceUntil.getTime())
      continue;
    const releaseVersion = recommended.value;
    const behind = running.filter(
      (nodegroup) => (compareReleases(nodegroup.releaseVersion, releaseVersion) ?? 0) < 0,
    );
    if (behind.length === 0) continue;
    const message = {
      kubernetesVersion,
      amiType,
      releaseVersion,
      clusters: [...new Set(behind.map((nodegroup) => nodegroup.clusterName))],
    };
    published.push(message);
    if (options.dryRun) continue;
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: `New EKS AMI release ${releaseVersion} (${amiType}, Kubernetes ${kubernetesVersion})`.slice(
          0,
          100,
        ),
        Message: JSON.stringify(message),
      }),
    );
  }
  return { published, dryRun: options.dryRun };
}

async function readParameter(
  ssm: SSMClient,
  name: string,
): Promise<{ value: string; lastModified: number } | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    if (!Parameter?.Value) return undefined;
    return { value: Parameter.Value, lastModified: Parameter.LastModifiedDate?.getTime() ?? 0 };
  } catch (error) {
    // No AMI of this type for this version: nothing to roll onto.
    if (isAwsError(error, 'ParameterNotFound')) return undefined;
    throw error;
  }
}
