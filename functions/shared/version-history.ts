import { DescribeUpdateCommand, type EKSClient, paginateListUpdates } from '@aws-sdk/client-eks';

/** The control plane's last version change that succeeded, as ListUpdates and DescribeUpdate tell it. */
export async function lastVersionChange(
  eks: EKSClient,
  clusterName: string,
): Promise<{ type: string; version: string | undefined; createdAt: Date } | undefined> {
  const ids: string[] = [];
  for await (const page of paginateListUpdates({ client: eks }, { name: clusterName }))
    ids.push(...(page.updateIds ?? []));
  let latest: { type: string; version: string | undefined; createdAt: Date } | undefined;
  const described = [];
  // Ten at a time: a long-lived cluster has many updates, and the step's task has 90 seconds.
  for (let start = 0; start < ids.length; start += 10) {
    const batch = ids.slice(start, start + 10);
    described.push(
      ...(await Promise.all(
        batch.map((updateId) => eks.send(new DescribeUpdateCommand({ name: clusterName, updateId }))),
      )),
    );
  }
  for (const { update } of described) {
    if (update?.status !== 'Successful' || !update.createdAt) continue;
    if (update.type !== 'VersionUpdate' && update.type !== 'VersionRollback') continue;
    if (latest && latest.createdAt >= update.createdAt) continue;
    latest = {
      type: update.type,
      version: update.params?.find((param) => param.type === 'Version')?.value,
      createdAt: update.createdAt,
    };
  }
  return latest;
}
