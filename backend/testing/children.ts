import type { ChildProcess } from 'node:child_process';

/** The servers tests and benchmarks started (services, redis-server) and that still run. */
const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Kills `child` with SIGKILL when this process ends first, whether it exits, crashes or is sent SIGTERM or SIGHUP:
 * a test run that fails or is cancelled must not leave servers holding ports.
 */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal); // this listener is gone: the signal now ends the process as it would have
    });
  }
}
