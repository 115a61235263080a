import type { UpdateProgress, UpdateRecord } from './types.ts';

/** One update as a stage reports it: which resource, to what, how it ended, for how long. */
export function recordOf(update: UpdateProgress): UpdateRecord {
  const what = update.addonName
    ? `add-on ${update.addonName}`
    : update.nodegroupName
      ? `node group ${update.nodegroupName}`
      : 'control plane';
  return {
    what: update.rollback ? `${what} (rollback)` : what,
    target: update.target,
    updateId: update.updateId,
    status: update.status,
    adopted: update.adopted,
    minutes: minutesBetween(update.startedAt, update.finishedAt),
  };
}

export function minutesBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}
