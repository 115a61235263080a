import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import { z } from 'zod';
import { InvalidInputError } from '../shared/errors.ts';
import {
  executionNameFor,
  type FleetMember,
  matchesClusterPattern,
  parseFleetSpec,
} from '../shared/fleet.ts';
import { accountOf, roleArnPattern } from '../shared/role-arn.ts';

export interface ResolveFleetDeps {
  eks: EKSClient;
  now: () => Date;
  /** The template's ClusterNamePattern: other clusters are never described (IAM would refuse). */
  allowedClusters: string;
}

/** "prod-a=next,prod-b=1.31,edge=ami", or the same as objects. */
const clusterList = z.union([
  z.string(),
  z.array(
    z
      .object({
        clusterName: z.string(),
        targetVersion: z.string().optional(),
        /** A cluster in another account: the role its upgrade assumes (the template's AssumableRoleArns). */
        roleArn: z.string().regex(roleArnPattern).optional(),
      })
      .strict(),
  ),
]);

/** Every cluster carrying this tag, upgraded to `targetVersion` (default "next"; "ami" for AMI refresh). */
const tagFilter = z.object({ key: z.string().min(1), value: z.string() }).strict();

/** One wave of a fleet run: its clusters, how many at once, and what lets the next wave start. */
const waveInput = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
    clusters: clusterList.optional(),
    tagFilter: tagFilter.optional(),
    targetVersion: z.string().optional(),
    maxConcurrentClusters: z.number().int().min(1).max(1000).optional(),
    /** Failed or rolled-back clusters the wave tolerates; one more and no further cluster starts. */
    maxFailures: z.number().int().min(0).default(0),
    /** After the wave passed, wait this long before the next one starts. */
    soakMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(0),
  })
  .strict();

const fleetInput = z
  .object({
    clusters: clusterList.optional(),
    tagFilter: tagFilter.optional(),
    targetVersion: z.string().optional(),
    /** Ordered waves (dev, staging, prod...); instead of clusters and tagFilter. */
    waves: z.array(waveInput).min(1).max(20).optional(),
    window: z.object({ start: z.string(), minutes: z.number() }).strict().optional(),
    maxConcurrentClusters: z.number().int().min(1).max(1000).default(5),
    /** The template's bake defaults: minutes after each hop (0: none), alarm names comma-separated. */
    bakeMinutes: z.number().int().min(0).default(0),
    bakeAlarms: z.string().default(''),
    onGateFailure: z.enum(['stop', 'rollback']).default('stop'),
    /** Plan every cluster, change none: each child runs with dryRun, under a name of its own. */
    dryRun: z.boolean().default(false),
    /** What started the run besides a window ("ami-<release>"): in the children's names, so they never take a window's. */
    runKey: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,40}$/)
      .optional(),
  })
  .strict();

export interface FleetItem {
  clusterName: string;
  /** The same cluster in the same window gets the same name: a repeated schedule starts nothing twice. */
  executionName: string;
  input: Record<string, unknown>;
}

/** One wave as the fleet state machine runs it. */
export interface FleetWave {
  name: string;
  items: FleetItem[];
  maxConcurrentClusters: number;
  /** Failed or rolled-back clusters the wave tolerates; null: no limit (a fleet without waves). */
  maxFailures: number | null;
  soakSeconds: number;
  /** The wave's execution names: each cluster's start first counts how its siblings ended. */
  executionNames: string[];
}

export interface ResolvedFleet {
  waves: FleetWave[];
}

/**
 * Turns the fleet input into one child execution per cluster, each named from cluster and window.
 * @throws InvalidInputError for a malformed input or an empty fleet.
 */
export async function resolveFleet(raw: unknown, deps: ResolveFleetDeps): Promise<ResolvedFleet> {
  const parsed = fleetInput.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`The fleet input is not valid: ${parsed.error.message}`);
  const input = parsed.data;
  if (input.waves && (input.clusters !== undefined || input.tagFilter !== undefined))
    throw new InvalidInputError(
      'The fleet input names clusters either in waves or in clusters/tagFilter, not both.',
    );
  const time = input.window ? compactTime(input.window.start) : compactTime(deps.now().toISOString());
  const windowKey = input.runKey ? `${input.runKey}-${time}` : time;
  const specs = input.waves ?? [
    {
      name: 'all',
      targetVersion: undefined,
      clusters: input.clusters,
      tagFilter: input.tagFilter,
      maxConcurrentClusters: undefined,
      maxFailures: null,
      soakMinutes: 0,
    },
  ];
  const seen = new Set<string>();
  const waves: FleetWave[] = [];
  for (const spec of specs) {
    const members = await membersOf(deps, spec, spec.targetVersion ?? input.targetVersion);
    // A cluster named in two waves runs in the first (a cluster is its name in its account).
    const keyOf = (member: FleetMember) => `${accountOf(member.roleArn) ?? ''}\n${member.clusterName}`;
    const fresh = [...new Map(members.map((member) => [keyOf(member), member])).values()].filter(
      (member) => !seen.has(keyOf(member)),
    );
    for (const member of fresh) seen.add(keyOf(member));
    const items = fresh.map((member) => itemFor(member, input, windowKey));
    waves.push({
      name: spec.name,
      items,
      maxConcurrentClusters: spec.maxConcurrentClusters ?? input.maxConcurrentClusters,
      maxFailures: spec.maxFailures,
      soakSeconds: spec.soakMinutes * 60,
      executionNames: items.map((item) => item.executionName),
    });
  }
  if (seen.size === 0)
    throw new InvalidInputError('The fleet input names no cluster (clusters, tagFilter or waves).');
  return { waves };
}

async function membersOf(
  deps: ResolveFleetDeps,
  spec: {
    clusters?: z.infer<typeof clusterList> | undefined;
    tagFilter?: z.infer<typeof tagFilter> | undefined;
  },
  targetVersion: string | undefined,
): Promise<FleetMember[]> {
  const members: FleetMember[] =
    typeof spec.clusters === 'string'
      ? parseFleetSpec(spec.clusters)
      : (spec.clusters ?? []).map(({ clusterName, targetVersion: pinned, roleArn }) => ({
          clusterName,
          ...(pinned ? { targetVersion: pinned } : {}),
          ...(roleArn ? { roleArn } : {}),
        }));
  if (spec.tagFilter) members.push(...(await clustersTagged(deps, spec.tagFilter, targetVersion)));
  return members;
}

function itemFor(member: FleetMember, input: z.infer<typeof fleetInput>, windowKey: string): FleetItem {
  return {
    clusterName: member.clusterName,
    // A plan of the window must not take the window's own name, or the real run would find it taken;
    // a cluster of another account is named with its account (two accounts may use one name).
    executionName: executionNameFor(
      member.clusterName,
      `${member.roleArn ? `${member.roleArn.split(':')[4]}-` : ''}${input.dryRun ? `${windowKey}-plan` : windowKey}`,
    ),
    input: {
      clusterName: member.clusterName,
      ...(member.roleArn ? { roleArn: member.roleArn } : {}),
      ...(input.dryRun ? { dryRun: true } : {}),
      ...(member.targetVersion ? { targetVersion: member.targetVersion } : {}),
      ...(input.window ? { window: input.window } : {}),
      ...bakeOf(input),
    },
  };
}

/** The bake each child gets: none at 0 minutes; its rollback only with a bake (the plan refuses it alone). */
function bakeOf(input: z.infer<typeof fleetInput>): Record<string, unknown> {
  if (input.bakeMinutes === 0) return {};
  const alarms = input.bakeAlarms
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return { bake: { minutes: input.bakeMinutes, alarms }, onGateFailure: input.onGateFailure };
}

async function clustersTagged(
  { eks, allowedClusters }: ResolveFleetDeps,
  tag: { key: string; value: string },
  targetVersion: string | undefined,
): Promise<FleetMember[]> {
  const found: FleetMember[] = [];
  for await (const page of paginateListClusters({ client: eks }, {})) {
    for (const name of page.clusters ?? []) {
      if (!matchesClusterPattern(name, allowedClusters)) continue;
      const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
      if (cluster?.tags?.[tag.key] !== tag.value) continue;
      const policy = targetVersion ?? 'next';
      found.push(policy === 'ami' ? { clusterName: name } : { clusterName: name, targetVersion: policy });
    }
  }
  return found;
}

/** "2026-11-25T02:00:00Z" -> "20261125T0200Z": an execution-name-safe window key. */
function compactTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) throw new InvalidInputError(`"${iso}" is not a time.`);
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\d\d\.\d{3}Z$/, 'Z');
}
