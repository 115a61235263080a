/** IAM role ARNs a cluster in another account is reached through (the input's `roleArn`). */
export const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The role the event names, when it is a role ARN (an unchecked input never reaches STS). */
export function roleArnOf(event: unknown): string | undefined {
  const value =
    typeof event === 'object' && event !== null && 'roleArn' in event
      ? (event as { roleArn: unknown }).roleArn
      : undefined;
  return typeof value === 'string' && roleArnPattern.test(value) ? value : undefined;
}

/** The role a step's update carries on to its checks, when there is one. */
export function roleOf(event: { roleArn?: string | null | undefined }): { roleArn?: string } {
  const roleArn = roleArnOf(event);
  return roleArn ? { roleArn } : {};
}
