import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import { z } from 'zod';
import { InvalidInputError } from '../shared/errors.ts';
import {
  executionNameFor,
  type FleetMember,
  matchesClusterPattern,
  parseFleetSpec,
} from '../shared/fleet.ts';

export interface ResolveFleetDeps {
  eks: EKSClient;
  now: () => Date;
  /** The template's ClusterNamePattern: other clusters are never described (IAM would refuse). */
  allowedClusters: string;
}

const fleetInput = z
  .object({
    /** "prod-a=next,prod-b=1.31,edge=ami", or the same as objects. */
    clusters: z
      .union([
        z.string(),
        z.array(z.object({ clusterName: z.string(), targetVersion: z.string().optional() }).strict()),
      ])
      .optional(),
    /** Every cluster carrying this tag, upgraded to `targetVersion` (default "next"; "ami" for AMI refresh). */
    tagFilter: z
      .object({ key: z.string().min(1), value: z.string() })
      .strict()
      .optional(),
    targetVersion: z.string().optional(),
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

export interface ResolvedFleet {
  items: FleetItem[];
  maxConcurrentClusters: number;
}

/**
 * Turns the fleet input into one child execution per cluster, each named from cluster and window.
 * @throws InvalidInputError for a malformed input or an empty fleet.
 */
export async function resolveFleet(raw: unknown, deps: ResolveFleetDeps): Promise<ResolvedFleet> {
  const parsed = fleetInput.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`The fleet input is not valid: ${parsed.error.message}`);
  const input = parsed.data;
  const members: FleetMember[] =
    typeof input.clusters === 'string'
      ? parseFleetSpec(input.clusters)
      : (input.clusters ?? []).map(({ clusterName, targetVersion }) =>
          targetVersion ? { clusterName, targetVersion } : { clusterName },
        );
  if (input.tagFilter) {
    members.push(...(await clustersTagged(deps, input.tagFilter, input.targetVersion)));
  }
  if (members.length === 0)
    throw new InvalidInputError('The fleet input names no cluster (clusters or tagFilter).');

  const time = input.window ? compactTime(input.window.start) : compactTime(deps.now().toISOString());
  const windowKey = input.runKey ? `${input.runKey}-${time}` : time;
  const items = [...new Map(members.map((member) => [member.clusterName, member])).values()].map(
    (member) => ({
      clusterName: member.clusterName,
      // A plan of the window must not take the window's own name, or the real run would find it taken.
      executionName: executionNameFor(member.clusterName, input.dryRun ? `${windowKey}-plan` : windowKey),
      input: {
        clusterName: member.clusterName,
        ...(input.dryRun ? { dryRun: true } : {}),
        ...(member.targetVersion ? { targetVersion: member.targetVersion } : {}),
        ...(input.window ? { window: input.window } : {}),
        ...bakeOf(input),
      },
    }),
  );
  return {
    items,
    maxConcurrentClusters: input.maxConcurrentClusters,
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
