import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

// The scenario format. scenario.schema.json is generated from this schema
// (node --import tsx local/simulator/generate-schema.ts); a unit test keeps them in step.

const minorVersion = z.string().regex(/^\d+\.\d+$/, 'expected a Kubernetes minor version such as "1.29"');
const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
const name = z.string().min(1).max(100);

const releaseVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+-\d{8}$/, 'expected a release version such as "1.19.15-20211013"');

const releaseEntry = z.union([
  releaseVersion,
  z.object({
    releaseVersion,
    publishedAt: isoDateTime.optional().meta({
      description: 'The release is invisible (SSM, defaults, UpdateNodegroupVersion) before this time.',
    }),
    publishedAtSecond: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'Like publishedAt, in seconds after startTime: AWS publishes the AMI mid-run.' }),
  }),
]);

const kubernetesVersion = z.object({
  version: minorVersion,
  platformVersion: z
    .string()
    .meta({ description: 'Platform version a control plane gets when updated to it.' }),
  releaseDate: isoDate,
  endOfStandardSupport: isoDate,
  endOfExtendedSupport: isoDate.optional(),
  kubernetesPatchVersion: z.string().optional(),
  default: z.boolean().default(false).meta({ description: 'Reported as the default version.' }),
});

const nodegroup = z.object({
  name,
  version: minorVersion,
  releaseVersion: z.string(),
  amiType: z.string().default('AL2_x86_64'),
  instanceType: z.string().default('t3.small'),
  capacityType: z.enum(['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK']).default('ON_DEMAND'),
  minSize: z.int().min(0),
  maxSize: z.int().min(1),
  desiredSize: z.int().min(0),
  maxUnavailable: z.int().min(1).max(100).default(1),
  availabilityZones: z
    .array(z.string())
    .min(1)
    .optional()
    .meta({ description: "Defaults to the cluster's zones." }),
  autoScalingGroupName: z.string().min(1),
  nodeRole: z
    .string()
    .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/)
    .optional()
    .meta({
      description: 'The IAM role its nodes run as (default: a role of its own, eks-<name>-node-role).',
    }),
  launchTemplateVersion: z
    .int()
    .min(1)
    .default(1)
    .meta({ description: 'Current version of the ASG launch template.' }),
  customLaunchTemplate: z
    .object({
      name: z.string(),
      id: z.string(),
      version: z
        .int()
        .min(1)
        .optional()
        .meta({ description: "The customer template's version in use; defaults to launchTemplateVersion." }),
      userData: z.string().optional().meta({
        description: 'The user data of the version in use (plain text), when it is not among versions.',
      }),
      versions: z
        .record(
          z.string().regex(/^\d+$/),
          z.object({
            imageId: z
              .string()
              .regex(/^ami-[0-9a-f]{8,17}$/)
              .optional()
              .meta({ description: 'The custom AMI of this version (amiType CUSTOM).' }),
            kubernetesVersion: minorVersion
              .optional()
              .meta({ description: "The kubelet minor of that AMI; defaults to the node group's version." }),
            userData: z
              .string()
              .optional()
              .meta({ description: 'The user data of that version (plain text; EC2 returns it base64).' }),
          }),
        )
        .optional()
        .meta({ description: 'Other versions of the customer template; when set, only these can be used.' }),
    })
    .optional()
    .meta({
      description:
        'Set when the node group was created from a customer launch template. With amiType CUSTOM the AMI is in it, and releaseVersion is the AMI id.',
    }),
  createdAt: isoDateTime.optional(),
});

const addon = z.object({ name, version: z.string() });

const insight = z.object({
  id: z.string().optional(),
  name: z.string(),
  category: z
    .enum(['UPGRADE_READINESS', 'MISCONFIGURATION', 'ROLLBACK_READINESS'])
    .default('UPGRADE_READINESS'),
  kubernetesVersion: minorVersion.meta({ description: 'The target version the insight is about.' }),
  status: z.enum(['PASSING', 'WARNING', 'ERROR', 'UNKNOWN']),
  reason: z.string().default(''),
  description: z.string().default(''),
  changes: z
    .array(
      z.object({
        atSecond: z.number().min(0),
        status: z.enum(['PASSING', 'WARNING', 'ERROR', 'UNKNOWN']),
        reason: z.string().optional(),
      }),
    )
    .default([])
    .meta({
      description:
        "What the finding becomes from a simulated second on; ListInsights shows it only after the next refresh (StartInsightsRefresh, or EKS's own 24 h cycle).",
    }),
});

/** A node the managed node group API does not list: the Kubelet version skew insight still sees it. */
const unmanagedNode = z.object({
  name: z
    .string()
    .min(1)
    .meta({ description: "The Kubernetes node name (a Fargate pod's node is fargate-<ip>...)." }),
  kubeletVersion: minorVersion,
  kind: z.enum(['self-managed', 'karpenter', 'hybrid', 'fargate']),
});

const fargateProfile = z.object({
  name,
  selectors: z
    .array(z.object({ namespace: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }))
    .min(1),
});

const cluster = z.object({
  name,
  version: minorVersion,
  platformVersion: z.string(),
  createdAt: isoDateTime.optional(),
  availabilityZones: z.array(z.string()).min(1),
  supportType: z.enum(['STANDARD', 'EXTENDED']).default('EXTENDED'),
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional()
    .meta({
      description:
        "The account the cluster is in (default: the scenario's): only credentials of a role assumed in it see the cluster.",
    }),
  upgradedFrom: z
    .object({ endedAtSecond: z.number().max(0) })
    .optional()
    .meta({
      description:
        'The cluster reached its version by an in-place upgrade that ended at this second (0 or before the start): a rollback is possible for 7 days after it.',
    }),
  nodegroups: z.array(nodegroup).default([]),
  addons: z.array(addon).default([]),
  insights: z.array(insight).default([]),
  autoMode: z
    .boolean()
    .default(false)
    .meta({ description: 'EKS Auto Mode (computeConfig.enabled): EKS manages its nodes and core add-ons.' }),
  fargateProfiles: z.array(fargateProfile).default([]),
  unmanagedNodes: z.array(unmanagedNode).default([]).meta({
    description:
      'Self-managed, Karpenter, hybrid nodes and Fargate pods: never moved by EKS; seen only by the Kubelet version skew insight.',
  }),
});

const addonVersionInfo = z.object({
  addonName: name,
  type: z.string().default('networking'),
  versions: z.array(
    z.object({
      addonVersion: z.string(),
      clusterVersions: z.array(minorVersion).min(1),
      defaultFor: z.array(minorVersion).default([]),
    }),
  ),
});

const burst = {
  service: z.enum(['eks', 'autoscaling', 'ssm', 'sns', 'cloudwatch', 'all']).default('all'),
  operation: z.string().optional().meta({ description: 'Only count requests for this SDK operation name.' }),
  afterRequests: z
    .int()
    .min(0)
    .meta({ description: 'Matching requests answered normally before the burst.' }),
  count: z.int().min(1).meta({ description: 'Consecutive matching requests that fail.' }),
};

const fault = z.discriminatedUnion('type', [
  z.object({ type: z.literal('throttling'), ...burst }),
  z.object({
    type: z.literal('server-errors'),
    ...burst,
    effect: z
      .enum(['rejected', 'applied'])
      .default('rejected')
      .meta({ description: "'applied': the request takes effect, then the response is lost as a 5xx." }),
  }),
  z.object({ type: z.literal('pdb-blocked'), cluster: name, nodegroup: name }),
  z.object({ type: z.literal('node-creation-failure'), cluster: name, nodegroup: name }),
  z.object({
    type: z.literal('update-in-progress'),
    cluster: name,
    version: minorVersion.optional().meta({ description: 'Defaults to the next minor of the cluster.' }),
    atSecond: z.number().min(0).default(0),
    beforeRequest: z
      .object({
        operation: z.string().meta({ description: 'SDK operation name, e.g. UpdateClusterVersion.' }),
        occurrence: z
          .int()
          .min(1)
          .default(1)
          .meta({ description: 'Which request of that operation (1: the first).' }),
      })
      .optional()
      .meta({
        description:
          'Instead of at atSecond, someone else starts the update just before the simulator answers this request: a race with the caller.',
      }),
  }),
  z.object({
    type: z.literal('cluster-deleted'),
    cluster: name,
    atSecond: z.number().min(0),
  }),
  z.object({
    type: z.literal('update-fails'),
    cluster: name,
    addon: name
      .optional()
      .meta({ description: "The add-on whose update ends badly; default: the cluster's control plane." }),
    occurrence: z
      .int()
      .min(1)
      .default(1)
      .meta({ description: 'Which update of that resource ends badly (1: the first one started).' }),
    afterMinutes: z.number().positive().default(5).meta({ description: 'Minutes after the update starts.' }),
    status: z.enum(['Failed', 'Cancelled']).default('Failed'),
    errorCode: z
      .string()
      .optional()
      .meta({ description: "The update's errors[0].errorCode (e.g. IpNotAvailable); none when absent." }),
    errorMessage: z.string().default('The update could not be completed (simulated fault).'),
  }),
  z.object({
    type: z.literal('insight-error'),
    cluster: name,
    version: minorVersion.optional().meta({
      description: 'The target version the insight is about; defaults to the next minor when it fires.',
    }),
    atSecond: z.number().min(0).default(0),
    clearAtSecond: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'When the insight goes back to PASSING (the deprecated API usage is gone).' }),
  }),
]);

/**
 * How long one step takes, in minutes, drawn per update: log-normal through the median, with the spread
 * the percentiles give (see README "Timings"), clipped to max. median = p90 = max is a fixed duration.
 */
const duration = z
  .object({
    p10: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Default: as far below the median as p90 is above.' }),
    median: z.number().positive(),
    p90: z.number().positive(),
    p99: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Default: the median-to-p90 spread carried on.' }),
    max: z.number().positive().meta({ description: 'No draw is longer.' }),
  })
  .refine(
    (d) =>
      (d.p10 ?? 0) <= d.median && d.median <= d.p90 && d.p90 <= (d.p99 ?? d.p90) && (d.p99 ?? d.p90) <= d.max,
    { message: 'expected p10 <= median <= p90 <= p99 <= max' },
  );

export type Duration = z.output<typeof duration>;

// Defaults from EKS-FACTS 7.7 (public reports: eksctl#7976, ACK community#2957, containers-roadmap#1560 and
// #1619, quickstart-amazon-eks#377). A node group's 25-35 min for 3 nodes is setup + launch + per batch
// (eviction + terminate, 4-7 min) + the scale-down tail.
const timings = z.object({
  controlPlaneUpdate: duration.default({ p10: 8, median: 11, p90: 18, p99: 40, max: 60 }),
  nodegroupSetup: duration.default({ median: 1, p90: 1.5, max: 3 }),
  instanceLaunch: duration.default({ median: 5, p90: 6.5, max: 12 }),
  podEviction: duration.default({ median: 2, p90: 3.5, max: 14 }),
  instanceTerminate: duration
    .default({ median: 2.5, p90: 3.5, max: 6 })
    .meta({ description: "Cordon, EKS's 60 s wait, then the ASG terminates the instance." }),
  scaleDown: duration.default({ median: 12, p90: 15, max: 25 }),
  addonUpdate: duration.default({ p10: 1, median: 2, p90: 4, max: 10 }),
  // AWS's documented fixed numbers, not drawn.
  podEvictionTimeoutMinutes: z.number().positive().default(15),
  clusterDeletionMinutes: z.number().positive().default(10),
  nodegroupCreateMinutes: z.number().positive().default(5),
  nodegroupConfigUpdateMinutes: z.number().positive().default(2),
  nodegroupDeleteDrainTimeoutMinutes: z.number().positive().default(5).meta({
    description: 'DeleteNodegroup: a node not drained by then is terminated anyway (EKS user guide).',
  }),
  insightsRefreshMinutes: z.number().positive().default(2),
});

const alarm = z.object({
  name,
  namespace: z.string().default('AWS/EKS'),
  metricName: z.string().default('node_cpu_utilization'),
  description: z.string().optional(),
  threshold: z.number().default(80),
  states: z
    .array(
      z.object({
        atSecond: z.number().min(0).default(0),
        afterUpgrade: z
          .object({ cluster: name, version: minorVersion, minutes: z.number().min(0) })
          .optional()
          .meta({
            description:
              "Instead of atSecond: from this many minutes after the cluster's control plane reached the version (what the alarm watches reacts to the upgrade).",
          }),
        value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
        reason: z.string().optional(),
      }),
    )
    .min(1)
    .meta({ description: 'The alarm state from each simulated second on, in time order.' }),
});

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    name,
    description: z.string().optional(),
    region: z.string().default('us-east-1'),
    accountId: z.string().regex(/^\d{12}$/),
    startTime: isoDateTime
      .default('2026-11-25T02:00:00Z')
      .meta({ description: 'Simulated time 0; faults count seconds from here.' }),
    seed: z
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1)
      .meta({
        description: 'Chooses the draw of every timing (`--seed`); the same seed gives the same durations.',
      }),
    timings: timings.prefault({}),
    kubernetesVersions: z.array(kubernetesVersion).min(1),
    releases: z.record(z.string(), z.record(minorVersion, z.array(releaseEntry))).meta({
      description:
        'AMI type -> Kubernetes minor -> releases, oldest first; the last published one is recommended.',
    }),
    addonVersions: z.array(addonVersionInfo).default([]),
    clusters: z.array(cluster).min(1),
    faults: z.array(fault).default([]),
    roles: z
      .array(
        z.object({
          arn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/),
          trusts: z
            .array(z.string().regex(/^\d{12}$/))
            .optional()
            .meta({ description: "Accounts whose principals may assume it (default: the scenario's)." }),
        }),
      )
      .default([])
      .meta({
        description:
          "IAM roles in other accounts that STS AssumeRole hands out credentials for; those credentials act with full access in the role's account.",
      }),
    deployment: z
      .object({
        nodeRoleArns: z.array(z.string()).default([]).meta({
          description: 'The NodeRoleArns parameter: node roles the stack may pass to EKS (AL2 replacements).',
        }),
      })
      .prefault({})
      .meta({
        description:
          'How the stack is deployed for this world: the template parameters an operator would set.',
      }),
    alarms: z
      .array(alarm)
      .default([])
      .meta({ description: 'CloudWatch metric alarms (DescribeAlarms), with states that change over time.' }),
    trigger: z
      .discriminatedUnion('kind', [
        z.object({
          kind: z.literal('ami-release'),
          fleet: z.string(),
          watchEverySeconds: z.number().int().positive(),
          watches: z.number().int().min(1).max(48),
        }),
        z.object({
          kind: z.literal('window'),
          fleet: z.string().default(''),
          input: z.record(z.string(), z.unknown()).default({}).meta({
            description:
              'More of the fleet input, e.g. waves and the bake defaults the template parameters give.',
          }),
          windowMinutes: z.number().int().positive(),
          everySeconds: z.number().int().positive(),
          windows: z.number().int().min(1).max(30),
          repeatLastWindow: z.boolean().default(false),
        }),
      ])
      .optional()
      .meta({
        description:
          'What starts the runs of `npm start -- --scenario <name>`: AMI release watches on a schedule, or upgrade windows of the fleet state machine. Absent: one execution of defaultInput.',
      }),
    defaultInput: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'The execution input `npm start -- --scenario <name>` runs when no flag says otherwise (e.g. no targetVersion: an AMI refresh).',
    }),
  })
  .superRefine((s, ctx) => {
    const versions = new Set(s.kubernetesVersions.map((v) => v.version));
    s.clusters.forEach((c, ci) => {
      if (!versions.has(c.version)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', ci, 'version'],
          message: `cluster ${c.name} is on ${c.version}, which kubernetesVersions does not list`,
        });
      }
      c.nodegroups.forEach((ng, ni) => {
        const path = ['clusters', ci, 'nodegroups', ni];
        if (compareMinor(ng.version, c.version) > 0) {
          ctx.addIssue({ code: 'custom', path, message: `node group ${ng.name} is newer than its cluster` });
        }
        if (ng.amiType === 'CUSTOM') {
          // A custom AMI comes from the launch template; EKS then reports the AMI id as the release version.
          if (!ng.customLaunchTemplate) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'customLaunchTemplate'],
              message: `node group ${ng.name} has amiType CUSTOM, which needs a customLaunchTemplate`,
            });
          }
          if (!/^ami-[0-9a-f]{8,17}$/.test(ng.releaseVersion)) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'releaseVersion'],
              message: `node group ${ng.name} has amiType CUSTOM, so its releaseVersion is an AMI id (ami-...)`,
            });
          }
        } else if (!ng.releaseVersion.startsWith(`${ng.version}.`)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'releaseVersion'],
            message: `release ${ng.releaseVersion} does not belong to ${ng.version}`,
          });
        }
        if (ng.minSize > ng.desiredSize || ng.desiredSize > ng.maxSize) {
          ctx.addIssue({ code: 'custom', path, message: 'expected minSize <= desiredSize <= maxSize' });
        }
      });
    });
    for (const [amiType, byVersion] of Object.entries(s.releases)) {
      for (const [version, entries] of Object.entries(byVersion)) {
        entries.forEach((entry, ei) => {
          const release = typeof entry === 'string' ? entry : entry.releaseVersion;
          if (!release.startsWith(`${version}.`)) {
            ctx.addIssue({
              code: 'custom',
              path: ['releases', amiType, version, ei],
              message: `release ${release} does not belong to ${version}`,
            });
          }
        });
      }
    }
    s.faults.forEach((f, fi) => {
      if (!('cluster' in f)) return;
      const c = s.clusters.find((x) => x.name === f.cluster);
      if (!c) {
        ctx.addIssue({ code: 'custom', path: ['faults', fi, 'cluster'], message: `no cluster ${f.cluster}` });
      } else if ('nodegroup' in f && !c.nodegroups.some((ng) => ng.name === f.nodegroup)) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', fi, 'nodegroup'],
          message: `no node group ${f.nodegroup}`,
        });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioCluster = Scenario['clusters'][number];
export type ScenarioNodegroup = ScenarioCluster['nodegroups'][number];
export type Fault = Scenario['faults'][number];
export type Timings = Scenario['timings'];

export type FaultName =
  | 'throttling'
  | 'server-errors'
  | 'pdb-blocked'
  | 'node-creation-failure'
  | 'update-in-progress'
  | 'cluster-deleted'
  | 'insight-error';

export const faultNames: readonly FaultName[] = [
  'throttling',
  'server-errors',
  'pdb-blocked',
  'node-creation-failure',
  'update-in-progress',
  'cluster-deleted',
  'insight-error',
];

/** Compares two "major.minor" strings numerically (1.9 < 1.10). */
export function compareMinor(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** Validates a scenario object and fills in defaults. @throws Error naming every problem. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`Invalid ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/**
 * Loads a scenario by name (a file in local/simulator/scenarios/) or by path, and validates it.
 * @throws Error when the file is missing, is not JSON, or does not match the scenario schema.
 */
export function loadScenario(nameOrPath: string): Scenario {
  const isName = /^[\w-]+$/.test(nameOrPath);
  const path = isName
    ? fileURLToPath(new URL(`./scenarios/${nameOrPath}.json`, import.meta.url))
    : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new Error(`Cannot read scenario ${isName ? `"${nameOrPath}" ` : ''}at ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Scenario ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseScenario(json, `scenario ${path}`);
}

/** The scenario with every alarm OK throughout: what a run looks like when nothing goes wrong. */
export function withQuietAlarms(scenario: Scenario): Scenario {
  return {
    ...scenario,
    alarms: scenario.alarms.map((alarm) => ({ ...alarm, states: [{ atSecond: 0, value: 'OK' as const }] })),
  };
}

/**
 * The scenario with its timings drawn from another seed (`--seed N`).
 * @throws Error when the text is not a whole number from 0 to 2^32 - 1.
 */
export function withSeed(scenario: Scenario, seedText: string): Scenario {
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || seed > 2 ** 32 - 1)
    throw new Error(`--seed must be a whole number from 0 to ${2 ** 32 - 1}, not "${seedText}"`);
  return { ...scenario, seed };
}
/**
 * Returns a copy of the scenario with a preset fault added, aimed at its first cluster and node group.
 * @throws Error when the preset needs a node group and the first cluster has none.
 */
export function applyFault(scenario: Scenario, fault: FaultName): Scenario {
  const first = scenario.clusters[0];
  if (!first) throw new Error('Scenario has no cluster');
  const nodegroup = (): string => {
    const ng = first.nodegroups[0];
    if (!ng) throw new Error(`Fault ${fault} needs a node group, and cluster ${first.name} has none`);
    return ng.name;
  };
  const presets: Record<FaultName, () => Fault> = {
    // Four in a row outlast the SDK's default three attempts, so one call fails for good.
    throttling: () => ({ type: 'throttling', service: 'eks', afterRequests: 2, count: 4 }),
    'server-errors': () => ({
      type: 'server-errors',
      service: 'eks',
      afterRequests: 2,
      count: 4,
      effect: 'rejected',
    }),
    'pdb-blocked': () => ({ type: 'pdb-blocked', cluster: first.name, nodegroup: nodegroup() }),
    'node-creation-failure': () => ({
      type: 'node-creation-failure',
      cluster: first.name,
      nodegroup: nodegroup(),
    }),
    'update-in-progress': () => ({ type: 'update-in-progress', cluster: first.name, atSecond: 0 }),
    'cluster-deleted': () => ({ type: 'cluster-deleted', cluster: first.name, atSecond: 600 }),
    'insight-error': () => ({ type: 'insight-error', cluster: first.name, atSecond: 0 }),
  };
  const copy = structuredClone(scenario);
  copy.faults.push(presets[fault]());
  return copy;
}

/**
 * Returns a copy of the scenario in which AWS publishes a new AMI release at a simulated second: from then
 * on it is the recommended release (SSM parameter, UpdateNodegroupVersion without releaseVersion).
 */
export function publishRelease(
  scenario: Scenario,
  release: { amiType: string; version: string; releaseVersion: string; atSecond: number },
): Scenario {
  const copy = structuredClone(scenario);
  const byVersion = copy.releases[release.amiType] ?? {};
  copy.releases[release.amiType] = byVersion;
  const entries = byVersion[release.version] ?? [];
  byVersion[release.version] = entries;
  entries.push({ releaseVersion: release.releaseVersion, publishedAtSecond: release.atSecond });
  return parseScenario(copy, 'scenario with a published release');
}

/** The scenario format as a JSON Schema (what scenario.schema.json holds). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'EKS upgrade simulator scenario',
    description:
      'The starting state of a simulated AWS account (EKS clusters, node groups, releases) and the faults to inject.',
  };
}
