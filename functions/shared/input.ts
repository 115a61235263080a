import { z } from 'zod';
import { replacementAmiTypes } from './ami-types.ts';
import { InvalidInputError } from './errors.ts';
import { roleArnPattern } from './role-arn.ts';

/** EKS cluster and node group names: 1-100 characters, letters, digits, hyphens and underscores. */
const resourceName = z
  .string()
  .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be 1-100 letters, digits, "-" or "_"');

/** A CloudWatch alarm of this account and region: its name, or its ARN. */
const alarmReference = z
  .string()
  .min(1)
  .max(1024)
  .regex(
    /^(arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}|[^:]{1,255})$/,
    'must be an alarm name or an alarm ARN',
  );

/**
 * After each control-plane hop, before any node group moves to that version: wait, watching the
 * alarms, the cluster's and add-ons' health and the refreshed insights. A day at most: well inside
 * EKS's 7-day rollback window, and a fleet's wait for each cluster stays bounded.
 */
const bakeSchema = z
  .object({
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    alarms: z.array(alarmReference).max(20).default([]),
    failOnHealthIssues: z.boolean().default(true),
  })
  .strict();

/**
 * Replace the AL2 node groups that cannot follow the control plane past 1.32 (EKS-FACTS 7.2): a new
 * group of another AMI type with the old one's configuration, then the old one deleted (drained).
 */
const replaceAl2Schema = z
  .object({
    /** Default: each group's AL2023 counterpart (x86_64, arm64, NVIDIA for GPU groups). */
    amiType: z.enum(replacementAmiTypes).optional(),
    namePattern: z
      .string()
      .regex(/^[0-9A-Za-z{][A-Za-z0-9_{}-]{0,62}$/, 'must be a node group name with "{name}" in it')
      .refine((pattern) => pattern.includes('{name}'), 'must contain "{name}", the old group\'s name')
      .optional(),
    /** A launch template version for a group's replacement to take instead of the group's (its user data for AL2023). */
    launchTemplateVersions: z
      .record(resourceName, z.string().regex(/^\d+$/, 'must be a version number'))
      .optional(),
  })
  .strict();

/**
 * How every node group rolls in this run (EKS-FACTS 2, NodegroupUpdateConfig): set on each group
 * before its roll with UpdateNodegroupConfig, and the group's own settings put back after it.
 */
const rollingUpdateSchema = z
  .object({
    maxUnavailable: z.number().int().min(1).max(100).optional(),
    maxUnavailablePercentage: z.number().int().min(1).max(100).optional(),
    updateStrategy: z.enum(['DEFAULT', 'MINIMAL']).optional(),
  })
  .strict()
  .refine(
    (settings) => settings.maxUnavailable === undefined || settings.maxUnavailablePercentage === undefined,
    {
      message: 'takes maxUnavailable or maxUnavailablePercentage, not both',
    },
  )
  .refine((settings) => Object.keys(settings).length > 0, {
    message: 'must set maxUnavailable, maxUnavailablePercentage or updateStrategy',
  });

export const upgradeInputSchema = z
  .object({
    clusterName: resourceName,
    targetVersion: z
      .string()
      .regex(
        /^(\d+\.\d+|next|latest|standard)$/,
        'must be a Kubernetes minor version such as "1.19", "next", "latest" or "standard"',
      )
      .optional(),
    nodegroups: z
      .array(resourceName)
      .min(1)
      .max(100)
      .refine((names) => new Set(names).size === names.length, 'must not name a node group twice')
      .optional(),
    releaseVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+-\d{8}$/, 'must be an EKS AMI release such as "1.19.15-20211013"')
      .optional(),
    /** Custom-AMI node groups move only to a launch template version named here. */
    launchTemplateVersions: z
      .record(resourceName, z.string().regex(/^\d+$/, 'must be a version number'))
      .optional(),
    force: z.boolean().default(false),
    /** Upgrade-readiness insights in ERROR block a hop unless this is set. */
    acceptInsightErrors: z.boolean().default(false),
    maxConcurrentNodegroups: z.number().int().min(1).max(40).default(1),
    rollingUpdate: rollingUpdateSchema.optional(),
    /** Start no step that cannot end before this time (ISO 8601). */
    deadline: z.iso.datetime({ offset: true }).optional(),
    /** An upgrade window (a schedule passes its scheduled time): the deadline is start + minutes. */
    window: z
      .object({
        start: z.iso.datetime({ offset: true }),
        minutes: z
          .number()
          .int()
          .min(30)
          .max(48 * 60),
      })
      .strict()
      .optional(),
    bake: bakeSchema.optional(),
    replaceAl2: replaceAl2Schema.optional(),
    /** Go on although nodes outside managed node groups (self-managed, Karpenter, Fargate pods) would fall outside the skew rule. */
    acceptUnmanagedSkew: z.boolean().default(false),
    /** A cluster in another account: every call for it is made with credentials of this role (sts:AssumeRole). */
    roleArn: z.string().regex(roleArnPattern, 'must be an IAM role ARN').optional(),
    /** Go on although the cluster's last run ended at a failed gate (a person looked at what it saw). */
    acknowledgeGateFailure: z.boolean().default(false),
    /** Take the last upgrade back (eks-upgrade rollback): the control plane to the previous minor, within EKS's 7 days. */
    rollback: z.boolean().default(false),
    /** What a failed gate does: stop where it is (default), or roll the hop back (EKS-FACTS 7.1). */
    onGateFailure: z.enum(['stop', 'rollback']).default('stop'),
    /** Wait for a person's yes (eks-upgrade approve) before the upgrade, or before each control-plane hop. */
    approval: z.enum(['none', 'before-upgrade', 'before-each-hop']).default('none'),
    dryRun: z.boolean().default(false),
    notify: z.boolean().default(true),
  })
  .strict()
  .refine((input) => input.onGateFailure === 'stop' || input.bake !== undefined, {
    path: ['onGateFailure'],
    message: '"rollback" needs a bake: only a bake\'s gates can fail',
  })
  .superRefine((input, context) => {
    if (!input.rollback) return;
    // A rollback goes to the previous minor and moves no node group: nothing else to choose.
    for (const field of [
      'targetVersion',
      'nodegroups',
      'releaseVersion',
      'launchTemplateVersions',
      'bake',
      'replaceAl2',
    ] as const) {
      if (input[field] !== undefined)
        context.addIssue({ code: 'custom', path: [field], message: 'is not taken with "rollback": true' });
    }
  });

export type UpgradeInput = z.infer<typeof upgradeInputSchema>;

/**
 * Validates an execution input.
 * @throws InvalidInputError naming every field that is wrong.
 */
export function parseUpgradeInput(raw: unknown): UpgradeInput {
  const result = upgradeInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
    return `${field} ${issue.message}`;
  });
  throw new InvalidInputError(
    `The execution input is not valid: ${problems.join('; ')}. Nothing was changed.`,
  );
}
