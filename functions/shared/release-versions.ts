/**
 * Orders EKS AMI releases ("1.32.9-20251108": Kubernetes patch, then build date): negative when
 * a is older. Undefined when either is not such a release (a custom AMI id, say).
 */
export function compareReleases(a: string, b: string): number | undefined {
  const parse = (text: string) => {
    const match = /^(\d+)\.(\d+)\.(\d+)-(\d{8})$/.exec(text);
    return match ? [Number(match[4]), Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
  };
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return undefined;
  for (let index = 0; index < left.length; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
