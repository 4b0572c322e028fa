/**
 * The `p`th percentile of `values` (nearest rank, from below): `p = 50` is the median, the upper one of an even count.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** The median of `values`, as every benchmark here reports it. */
export const median = (values: readonly number[]): number => percentile(values, 50);

/**
 * The median time of runs whose `ms` is null when not all pictures showed by the deadline: null when most runs did
 * not show them all (a run that did not counts as slower than any that did).
 */
export const medianMs = (runs: readonly { ms: number | null }[]): number | null =>
  runs.filter((run) => run.ms !== null).length * 2 > runs.length ? median(runs.map((run) => run.ms ?? Infinity)) : null;

/**
 * Run by run, `a`'s time over `b`'s, for the runs in which both showed every picture: two contenders measured side
 * by side in one run share that moment's load on the machine, which medians taken apart do not cancel.
 */
export const ratiosByRun = (a: readonly { ms: number | null }[], b: readonly { ms: number | null }[]): number[] =>
  a.flatMap((run, i) => (run.ms !== null && b[i]?.ms != null ? [run.ms / b[i].ms] : []));

/** Ratios of one run each, as the benchmarks print them: their median, and the lowest and highest. */
export const ratiosText = (ratios: readonly number[]): string =>
  ratios.length
    ? `median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
    : '—';
