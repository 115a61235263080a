import { createHash } from 'node:crypto';

/**
 * An idempotency token for an EKS update call, the same for every retry of one
 * planned step of one execution: EKS returns the existing update for a token it
 * has seen, so a retried Lambda invocation cannot start a second update. A redrive
 * (the same execution run again after a failure was fixed) gets new tokens, or EKS
 * would hand back the failed update. Shaped as a UUID, as the SDK would generate.
 */
export function updateRequestToken(
  executionName: string,
  resource: string,
  target: string,
  redriveCount = 0,
): string {
  const attempt = redriveCount > 0 ? `${executionName}\nredrive ${redriveCount}` : executionName;
  const hex = createHash('sha256').update(`${attempt}\n${resource}\n${target}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
