import { readFileSync } from 'node:fs';
import { until } from '../../scripts/testing/wait.ts';
import type { RunningService } from './service.ts';

const MiB = 1024 * 1024;

/** The resident memory of process `pid`, in bytes (Linux's /proc). */
export function rssBytes(pid: number): number {
  const kB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kB) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kB) * 1024;
}

/** The resident memory once it has stopped moving (three samples 100 ms apart within 1 MiB), not mid-allocation. */
export async function settledRss(pid: number): Promise<number> {
  const samples = [rssBytes(pid)];
  let sampledAt = performance.now();
  return until(() => {
    if (performance.now() - sampledAt < 100) return undefined;
    sampledAt = performance.now();
    samples.push(rssBytes(pid));
    const last = samples.slice(-3);
    return last.length === 3 && Math.max(...last) - Math.min(...last) < MiB ? last[2] : undefined;
  }, "the service's memory to settle");
}

/** The settings that load ./heap-probe.ts into a Node service, for {@link heapUsed}. */
export const HEAP_PROBE_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--expose-gc --import tsx --import ./backend/testing/heap-probe.ts',
};

/** The heap a Node service started with {@link HEAP_PROBE_ENV} holds after a full garbage collection, in bytes. */
export async function heapUsed(service: RunningService): Promise<number> {
  const answers = () => [...service.output().matchAll(/^\[heap\] (\d+)$/gm)];
  const before = answers().length;
  process.kill(service.pid, 'SIGUSR2');
  return until(() => {
    const all = answers();
    return all.length > before ? Number(all.at(-1)![1]) : undefined;
  }, 'the heap probe to answer');
}

/** Bytes as MiB with one decimal, for a test's figures. */
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
