import { InvalidInputError, UpgradeDeferredError } from './errors.ts';
import type { UpgradeInput } from './input.ts';

/** The run's deadline: an explicit one or the end of its upgrade window, the earlier when both; null for none. */
export function resolveDeadline(input: Pick<UpgradeInput, 'deadline' | 'window'>): string | null {
  const ends = [
    ...(input.deadline ? [Date.parse(input.deadline)] : []),
    ...(input.window ? [Date.parse(input.window.start) + input.window.minutes * 60_000] : []),
  ];
  return ends.length > 0 ? new Date(Math.min(...ends)).toISOString() : null;
}

/**
 * A run whose deadline has passed can do nothing: refuse it as input, rather than report "Deferred"
 * for a window that is already over.
 * @throws InvalidInputError
 */
export function ensureDeadlineAhead(input: Pick<UpgradeInput, 'deadline' | 'window'>, now: Date): void {
  const deadline = resolveDeadline(input);
  if (deadline === null || Date.parse(deadline) > now.getTime()) return;
  throw new InvalidInputError(
    `The run's ${input.window && deadline !== input.deadline ? 'upgrade window ended' : 'deadline was'} at ${deadline}, before it started (${now.toISOString()}); give a later deadline or window. Nothing was changed.`,
  );
}

/**
 * Refuses to start a step whose long-but-normal duration would carry it past the deadline: a control
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
  const late = lateForDeadline(step, expectedSeconds, deadline, now);
  if (late) throw new UpgradeDeferredError(late);
}

/** Why the step must not start before the deadline, or undefined when it fits. */
export function lateForDeadline(
  step: string,
  expectedSeconds: number,
  deadline: string | null,
  now: Date,
): string | undefined {
  if (deadline === null) return undefined;
  const endsAt = now.getTime() + expectedSeconds * 1000;
  if (endsAt <= Date.parse(deadline)) return undefined;
  return `${step} needs about ${Math.round(expectedSeconds / 60)} minutes and would end after the deadline ${deadline}; not started. The next run continues from here.`;
}
