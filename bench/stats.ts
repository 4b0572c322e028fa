/** The `p`th percentile of `values` (nearest rank, from below): `p = 50` is the median, the upper one of an even count. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** The median of `values`, as every benchmark here reports it. */
export const median = (values: readonly number[]): number => percentile(values, 50);
