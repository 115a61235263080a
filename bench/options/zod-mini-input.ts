// A zod/mini rendering of functions/shared/input.ts, used only to measure what moving the input
// schema to zod/mini would do to the plan-upgrade bundle (bench/bundles.ts swaps it in at build time).
import * as z from 'zod/mini';
import { replacementAmiTypes } from '../../functions/shared/ami-types.ts';
import { InvalidInputError } from '../../functions/shared/errors.ts';
import { roleArnPattern } from '../../functions/shared/role-arn.ts';

const resourceName = z
  .string()
  .check(z.regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be 1-100 letters, digits, "-" or "_"'));

export const upgradeInputSchema = z
  .strictObject({
    clusterName: resourceName,
    targetVersion: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^(\d+\.\d+|next|latest|standard)$/,
            'must be a Kubernetes minor version such as "1.19", "next", "latest" or "standard"',
          ),
        ),
    ),
    nodegroups: z.optional(z.array(resourceName).check(z.minLength(1), z.maxLength(100))),
    releaseVersion: z.optional(
      z
        .string()
        .check(z.regex(/^\d+\.\d+\.\d+-\d{8}$/, 'must be an EKS AMI release such as "1.19.15-20211013"')),
    ),
    launchTemplateVersions: z.optional(
      z.record(resourceName, z.string().check(z.regex(/^\d+$/, 'must be a version number'))),
    ),
    force: z._default(z.boolean(), false),
    acceptInsightErrors: z._default(z.boolean(), false),
    maxConcurrentNodegroups: z._default(z.int().check(z.minimum(1), z.maximum(40)), 1),
    deadline: z.optional(z.iso.datetime({ offset: true })),
    window: z.optional(
      z.strictObject({
        start: z.iso.datetime({ offset: true }),
        minutes: z.int().check(z.minimum(30), z.maximum(7 * 24 * 60)),
      }),
    ),
    bake: z.optional(
      z.strictObject({
        minutes: z.int().check(z.minimum(1), z.maximum(24 * 60)),
        alarms: z._default(
          z
            .array(
              z
                .string()
                .check(
                  z.minLength(1),
                  z.maxLength(1024),
                  z.regex(
                    /^(arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}|[^:]{1,255})$/,
                    'must be an alarm name or an alarm ARN',
                  ),
                ),
            )
            .check(z.maxLength(20)),
          [],
        ),
        failOnHealthIssues: z._default(z.boolean(), true),
      }),
    ),
    replaceAl2: z.optional(
      z.strictObject({
        amiType: z.optional(z.enum(replacementAmiTypes)),
        namePattern: z.optional(
          z.string().check(
            z.regex(/^[0-9A-Za-z{][A-Za-z0-9_{}-]{0,62}$/, 'must be a node group name with "{name}" in it'),
            z.refine((pattern) => pattern.includes('{name}'), 'must contain "{name}", the old group\'s name'),
          ),
        ),
        launchTemplateVersions: z.optional(
          z.record(resourceName, z.string().check(z.regex(/^\d+$/, 'must be a version number'))),
        ),
      }),
    ),
    acceptUnmanagedSkew: z._default(z.boolean(), false),
    roleArn: z.optional(z.string().check(z.regex(roleArnPattern, 'must be an IAM role ARN'))),
    acknowledgeGateFailure: z._default(z.boolean(), false),
    rollback: z._default(z.boolean(), false),
    onGateFailure: z._default(z.enum(['stop', 'rollback']), 'stop'),
    approval: z._default(z.enum(['none', 'before-upgrade', 'before-each-hop']), 'none'),
    dryRun: z._default(z.boolean(), false),
    notify: z._default(z.boolean(), true),
  })
  .check(
    z.refine((input) => input.onGateFailure === 'stop' || input.bake !== undefined, {
      path: ['onGateFailure'],
      message: '"rollback" needs a bake: only a bake\'s gates can fail',
    }),
    z.superRefine((input, context) => {
      if (!input.rollback) return;
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
    }),
  );

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
