import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { readAddonCatalog } from '../shared/addon-steps.ts';
import { RollbackRefusedError } from '../shared/errors.ts';
import { rollbackRefusal } from '../shared/rollback-rules.ts';
import type { AddonStep, GateState, RollbackPlan, UpdateProgress } from '../shared/types.ts';

export interface PlanRollbackEvent {
  clusterName: string;
  /** The hop to take back: the control plane goes from `to` back to `from`. */
  hop: { from: string; to: string };
  /** The gate that failed: when the hop ended (the 7-day window) and what blocks a rollback. */
  gate: GateState;
  /** The hop's add-on updates, as planned. */
  addonSteps: AddonStep[];
  /** How each of them went, in the same order (Update Add-ons' results): only those this run made are undone. */
  addonUpdates: UpdateProgress[];
}

export interface PlanRollbackDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Read-only: checks every rule EKS has for a rollback (EKS-FACTS 7.1) and plans it: the hop's
 * add-on updates undone last first, then the control plane back to the version before. Node
 * groups are not touched; one already on the hop's version refuses the rollback, as EKS would.
 * @throws RollbackRefusedError naming the rule, before anything moves.
 */
export async function planRollback(
  event: PlanRollbackEvent,
  { eks, now }: PlanRollbackDeps,
): Promise<RollbackPlan> {
  const { clusterName, hop, gate } = event;
  const refuse = (why: string) =>
    new RollbackRefusedError(
      `${gate.failure?.cause ?? 'A health gate failed.'} The rollback to ${hop.from} was refused before anything moved: ${why}. The cluster stays on ${hop.to}, its node groups where they were; look at it before running again.`,
    );
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const why = await rollbackRefusal(eks, {
    cluster: cluster ?? {},
    from: hop.to,
    to: hop.from,
    windowEnds: gate.rollbackPossibleUntil,
    // Add-ons that do not run on N-1 are what the rollback moves back first: EKS's readiness insight
    // about them (its wording UNVERIFIED) would otherwise refuse the very rollback that fixes it.
    blockers: (gate.rollbackBlockers ?? []).filter((blocker) => !/add-?on/i.test(blocker)),
    now: now(),
  });
  if (why) throw refuse(why);

  // Only updates this run made go back, each to the version it found: a step skipped (the add-on was
  // already there or past it) or planned again for a control plane moved by hand is left alone.
  const made = event.addonSteps.filter((step, index) => {
    const update = event.addonUpdates[index];
    return update?.status === 'Successful' && update.updateId !== null && update.target === step.to;
  });
  const addons = [...made].reverse().map(
    (step): AddonStep => ({
      name: step.name,
      from: step.to,
      to: step.from,
      clusterVersion: hop.to,
      rollback: true,
    }),
  );
  // Each add-on goes back while the control plane is still on the hop's version: EKS must offer that version there.
  for (const step of addons) {
    const catalog = await readAddonCatalog(eks, step.name, hop.to);
    if (!catalog?.versions.includes(step.to)) {
      throw refuse(
        `add-on ${step.name} cannot go back to ${step.to}: EKS does not offer it on Kubernetes ${hop.to}`,
      );
    }
  }
  return {
    controlPlane: { from: hop.to, to: hop.from },
    addons,
    untouched: `Not rolled back: node groups (none had moved to ${hop.to}), and what earlier hops of this run changed.`,
    reason: gate.failure?.cause ?? 'A health gate failed.',
    automatic: true,
  };
}
