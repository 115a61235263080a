// EKS add-on versions, "v1.10.4-eksbuild.1": ordered by major, minor, patch, then EKS build.

export interface AddonVersion {
  major: number;
  minor: number;
  patch: number;
  build: number;
}

/** Parses "v1.10.4-eksbuild.1". */
export function parseAddonVersion(text: string): AddonVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    build: Number(match[4] ?? 0),
  };
}

export function compareAddonVersions(a: AddonVersion, b: AddonVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.build - b.build;
}
