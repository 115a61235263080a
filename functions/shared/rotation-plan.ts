import { compareMinor, type MinorVersion, minorsBetween, nextMinor } from './versions.ts';

/**
 * How many minors a kubelet may lag behind the API server (EKS user guide, Kubernetes skew policy):
 * 3 for a kubelet on 1.25 or newer, 2 for an older one.
 */
export function maxKubeletLag(kubelet: MinorVersion): number {
  return compareMinor(kubelet, { major: 1, minor: 25 }) >= 0 ? 3 : 2;
}

/** True when a kubelet on `kubelet` may run under a control plane on `controlPlane`. */
export function skewAllows(controlPlane: MinorVersion, kubelet: MinorVersion): boolean {
  const lag = minorsBetween(kubelet, controlPlane);
  return lag >= 0 && lag <= maxKubeletLag(kubelet);
}

/** Each minor the control plane passes through after `current`, up to and including `target`. */
export function controlPlaneHops(current: MinorVersion, target: MinorVersion): MinorVersion[] {
  const hops: MinorVersion[] = [];
  // Minor versions only ever climb within one major; anything else has no one-minor path.
  if (current.major !== target.major) return hops;
  for (let version = nextMinor(current); compareMinor(version, target) <= 0; version = nextMinor(version)) {
    hops.push(version);
  }
  return hops;
}

export interface Rotation {
  /** The stage the rotation runs in: 0 before any hop, i after the i-th hop (control plane on hops[i-1]). */
  stage: number;
  to: MinorVersion;
  /** Why: the next hop would break the skew rule, or the node group must end on the target. */
  reason: 'skew' | 'final';
}

/**
 * When a node group must roll during a climb from `current` to `target`, fewest times first:
 * it waits until the next control-plane hop would break the skew rule, then jumps to the
 * control plane's version (the furthest it may go), and rolls once more at the end if it is
 * not on the target yet. Waiting as long as possible and jumping as far as possible is optimal
 * because the allowed lag never shrinks as the kubelet gets newer (tests check it against a
 * brute-force search).
 */
export function planRotations(
  current: MinorVersion,
  target: MinorVersion,
  kubelet: MinorVersion,
): Rotation[] {
  const hops = controlPlaneHops(current, target);
  const rotations: Rotation[] = [];
  let version = kubelet;
  for (let stage = 0; stage <= hops.length; stage += 1) {
    const controlPlane = stage === 0 ? current : (hops[stage - 1] ?? current);
    const nextHop = hops[stage];
    if (nextHop && !skewAllows(nextHop, version)) {
      rotations.push({ stage, to: controlPlane, reason: 'skew' });
      version = controlPlane;
    }
  }
  if (compareMinor(version, target) < 0) rotations.push({ stage: hops.length, to: target, reason: 'final' });
  return rotations;
}
