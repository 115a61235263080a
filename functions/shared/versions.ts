/** A Kubernetes minor version such as 1.19, kept as numbers so comparisons are exact. */
export interface MinorVersion {
  readonly major: number;
  readonly minor: number;
}

const minorPattern = /^(\d+)\.(\d+)$/;

/** Parses "1.19" (EKS versions are always major.minor); undefined when malformed. */
export function parseMinor(text: string): MinorVersion | undefined {
  const match = minorPattern.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function formatMinor(version: MinorVersion): string {
  return `${version.major}.${version.minor}`;
}

/** Negative when a is older than b, zero when equal, positive when newer. */
export function compareMinor(a: MinorVersion, b: MinorVersion): number {
  return a.major === b.major ? a.minor - b.minor : a.major - b.major;
}

/** How many minor versions b is ahead of a (Kubernetes 1.x only has minors that matter). */
export function minorsBetween(a: MinorVersion, b: MinorVersion): number {
  if (a.major !== b.major) return Number.POSITIVE_INFINITY;
  return b.minor - a.minor;
}

export function nextMinor(version: MinorVersion): MinorVersion {
  return { major: version.major, minor: version.minor + 1 };
}
