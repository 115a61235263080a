import {
  type Cluster,
  type EKSClient,
  paginateDescribeClusterVersions,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import { compareAddonVersions, parseAddonVersion } from './addon-versions.ts';
import { describeNodegroupIfPresent } from './nodegroups.ts';

/** What EKS's rollback rules are checked against (EKS-FACTS 7.1). */
export interface RollbackCase {
  cluster: Cluster;
  /** The control plane moves from `from` (N) back to `to` (N-1). */
  from: string;
  to: string;
  /** The latest a rollback may start (7 days after the upgrade ended), when the run knows it. */
  windowEnds: string | null;
  /** ROLLBACK_READINESS insights in ERROR or UNKNOWN. */
  blockers: string[];
  now: Date;
}

/**
 * Why EKS would refuse this rollback, checked before anything moves; undefined when it would not.
 * Hard rules (window, version, support) and the soft one the product never overrides: a kubelet on N.
 */
export async function rollbackRefusal(eks: EKSClient, check: RollbackCase): Promise<string | undefined> {
  const { cluster, from, to } = check;
  if (check.windowEnds && check.now.getTime() > Date.parse(check.windowEnds)) {
    return `EKS allows a rollback only within 7 days of the upgrade, and that window closed at ${check.windowEnds}`;
  }
  if (cluster.version !== from && cluster.version !== to) {
    return `the control plane is on ${cluster.version ?? 'an unknown version'}, moved outside this run`;
  }
  const support = await versionStatus(eks, to);
  if (support === 'UNSUPPORTED' || support === undefined)
    return `Kubernetes ${to} is no longer supported by EKS`;
  if (support === 'EXTENDED_SUPPORT' && (cluster.upgradePolicy?.supportType ?? 'EXTENDED') !== 'EXTENDED') {
    return `Kubernetes ${to} is in extended support and the cluster's upgrade policy is STANDARD`;
  }
  const onNewVersion = await nodegroupsOn(eks, cluster.name ?? '', from);
  if (onNewVersion.length > 0) {
    return `node groups ${onNewVersion.join(', ')} already run kubelet ${from}, and EKS refuses a rollback while any kubelet is on the newer version`;
  }
  if (check.blockers.length > 0)
    return `EKS's rollback readiness insights report ${check.blockers.join('; ')}`;
  return undefined;
}

async function versionStatus(eks: EKSClient, version: string): Promise<string | undefined> {
  for await (const page of paginateDescribeClusterVersions(
    { client: eks },
    { clusterVersions: [version], includeAll: true },
  )) {
    const found = page.clusterVersions?.find((info) => info.clusterVersion === version);
    if (found) return found.versionStatus ?? 'UNKNOWN';
  }
  return undefined;
}

/** The cluster's managed node groups on the version, by name. */
async function nodegroupsOn(eks: EKSClient, clusterName: string, version: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListNodegroups({ client: eks }, { clusterName })) {
    names.push(...(page.nodegroups ?? []));
  }
  const found: string[] = [];
  for (const name of names) {
    const nodegroup = await describeNodegroupIfPresent(eks, clusterName, name);
    if (nodegroup?.version === version) found.push(name);
  }
  return found;
}

/**
 * Where an add-on must go before the control plane goes back to N-1, when nobody recorded where it
 * was: nowhere if it runs on N-1; else down to the newest version EKS offers on both N and N-1, one
 * minor at a time for the VPC CNI. Undefined when no such version exists.
 */
export function addonStepsDown(
  name: string,
  current: string,
  offeredOnBoth: string[],
  runsOnPrevious: boolean,
): string[] | undefined {
  if (runsOnPrevious) return [];
  const from = parseAddonVersion(current);
  const older = offeredOnBoth
    .flatMap((text) => {
      const parsed = parseAddonVersion(text);
      return parsed && from && compareAddonVersions(parsed, from) < 0 ? [{ text, parsed }] : [];
    })
    .sort((a, b) => compareAddonVersions(b.parsed, a.parsed));
  const [goal] = older;
  if (!goal || !from) return undefined;
  if (name !== 'vpc-cni' || goal.parsed.major !== from.major) return [goal.text];
  const steps: string[] = [];
  for (let minor = from.minor - 1; minor >= goal.parsed.minor; minor -= 1) {
    const step = older.find((candidate) => candidate.parsed.minor === minor);
    if (!step) return undefined;
    steps.push(step.text);
  }
  return steps;
}
