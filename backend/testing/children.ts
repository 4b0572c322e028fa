import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

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
  // Nor does it keep this process alive: a test that failed before stopping it must not hold the run open.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
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

/** Keeps this process alive until `child` exits, for a caller about to wait for that (killOnExit lets it go). */
export function holdUntilExit(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.ref();
}
