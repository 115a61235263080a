import { UpgradeDeferredError } from './errors.ts';
import type { UpgradeInput } from './input.ts';

/** The run's deadline: an explicit one, or the end of its upgrade window; null for none. */
export function resolveDeadline(input: Pick<UpgradeInput, 'deadline' | 'window'>): string | null {
  if (input.deadline) return new Date(input.deadline).toISOString();
  if (input.window)
    return new Date(Date.parse(input.window.start) + input.window.minutes * 60_000).toISOString();
  return null;
}

/**
 * Refuses to start a step whose typical duration would carry it past the deadline: a control
 * plane or a node group half-way through its update when the window closes is what a window
 * exists to prevent.
 * @throws UpgradeDeferredError naming the step, the time it needs and the deadline.
 */
export function ensureFitsBeforeDeadline(
  step: string,
  expectedSeconds: number,
  deadline: string | null,
  now: Date,
): void {
  if (deadline === null) return;
  const endsAt = now.getTime() + expectedSeconds * 1000;
  if (endsAt <= Date.parse(deadline)) return;
  throw new UpgradeDeferredError(
    `${step} needs about ${Math.round(expectedSeconds / 60)} minutes and would end after the deadline ${deadline}; not started. The next run continues from here.`,
  );
}
