import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors.ts';

/** One cluster of a fleet and what each window does to it. */
export interface FleetMember {
  clusterName: string;
  /** "next", "latest", "standard", a pinned minor, or undefined for an AMI refresh only. */
  targetVersion?: string;
  /** A cluster in another account: the role its upgrade is made as. */
  roleArn?: string;
}

const clusterNamePattern = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const policyPattern = /^(next|latest|standard|ami|\d+\.\d+)$/;

/**
 * Parses the template's fleet list, "prod-a=next,prod-b=1.31,edge=ami" (a bare name means "next").
 * @throws InvalidInputError naming each entry that is not `cluster[=next|latest|standard|ami|1.xx]`.
 */
export function parseFleetSpec(spec: string): FleetMember[] {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const bad = entries.filter((entry) => {
    const [name = '', policy = 'next', ...rest] = entry.split('=');
    return rest.length > 0 || !clusterNamePattern.test(name) || !policyPattern.test(policy);
  });
  if (bad.length > 0) {
    throw new InvalidInputError(
      `The fleet list has entries that are not "cluster[=next|latest|standard|ami|1.xx]": ${bad.map((entry) => JSON.stringify(entry.slice(0, 120))).join(', ')}.`,
    );
  }
  return entries.map((entry) => {
    const [clusterName = '', policy = 'next'] = entry.split('=');
    return policy === 'ami' ? { clusterName } : { clusterName, targetVersion: policy };
  });
}

/**
 * A Step Functions execution name for one piece of work on one cluster: the same work always gets
 * the same name, so a repeated schedule or a duplicate message starts nothing new (names are
 * unique per state machine for 90 days). At most 80 characters of [A-Za-z0-9._-].
 */
export function executionNameFor(clusterName: string, work: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '-');
  const name = `${safe(clusterName)}-${safe(work)}`;
  if (name.length <= 80) return name;
  const hash = createHash('sha256').update(`${clusterName}\n${work}`).digest('hex').slice(0, 10);
  return `${safe(clusterName).slice(0, 80 - hash.length - 2 - Math.min(30, work.length))}-${hash}-${safe(work).slice(-30)}`.slice(
    0,
    80,
  );
}

/** Whether a cluster name matches the template's ClusterNamePattern (IAM style: `*` and `?`). */
export function matchesClusterPattern(clusterName: string, pattern: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`).test(clusterName);
}
