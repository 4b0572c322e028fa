import { readFileSync } from 'node:fs';

/** One field of `/proc/{pid}/status`, in MiB (the kernel gives kB). Linux only, like the benchmarks' machine. */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no ${field} for process ${pid}`);
  return Number(kb) / 1024;
}

/** The resident memory of process `pid` now, in MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/** The largest resident memory process `pid` has had since it started (the kernel's high-water mark), in MiB. */
export const peakRssMiB = (pid: number): number => statusMiB(pid, 'VmHWM');

/**
 * Samples the RSS of process `pid` every `everyMs` while `during` runs; answers its result and the largest RSS seen.
 */
export async function sampleRss<T>(
  pid: number,
  during: () => Promise<T>,
  everyMs = 20,
): Promise<{ result: T; peakMiB: number }> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), everyMs);
  try {
    const result = await during();
    return { result, peakMiB: Math.max(peak, rssMiB(pid)) };
  } finally {
    clearInterval(timer);
  }
}
