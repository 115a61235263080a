import { InvalidInputError } from './errors.ts';

/** IAM role ARNs a cluster in another account is reached through (the input's `roleArn`). */
export const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * The role the event names (null or absent: this account). A malformed one is refused, never taken
 * for "this account", where a cluster of the same name may be.
 * @throws InvalidInputError for a roleArn that is not an IAM role ARN.
 */
export function roleArnOf(event: unknown): string | undefined {
  const value =
    typeof event === 'object' && event !== null && 'roleArn' in event
      ? (event as { roleArn: unknown }).roleArn
      : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && roleArnPattern.test(value)) return value;
  throw new InvalidInputError(
    `roleArn ${JSON.stringify(value).slice(0, 200)} is not an IAM role ARN. Nothing was changed.`,
  );
}

/** The account a role is in; null for this account (no role). */
export function accountOf(roleArn: unknown): string | null {
  return typeof roleArn === 'string' ? (roleArn.split(':')[4] ?? null) : null;
}

/** The role a step's update carries on to its checks, when there is one. */
export function roleOf(event: { roleArn?: string | null | undefined }): { roleArn?: string } {
  const roleArn = roleArnOf(event);
  return roleArn ? { roleArn } : {};
}
