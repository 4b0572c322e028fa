import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { until } from '../../scripts/testing/wait.ts';
import { holdUntilExit, killOnExit } from './children.ts';
import { freePort } from './free-port.ts';

const root = new URL('../../', import.meta.url).pathname;

/** A server started as a child process listening on 127.0.0.1: the image service from its real entry, or a bench's. */
export interface RunningService {
  base: string;
  pid: number;
  /** What the process printed, for a failing test's message. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once it has exited (0: it finished everything it had). */
  stop(): Promise<number | null>;
  /** Kills it with SIGKILL, as a crash or the OOM killer would: nothing gets to finish. */
  kill(): Promise<void>;
}

/** The command `npm start` / `npm run start:deno` runs, so tests start the service exactly as a user does. */
export function entryCommand(runtime: 'node' | 'deno'): string[] {
  if (runtime === 'node') return [process.execPath, '--import', 'tsx', 'backend/node.ts'];
  const script: string = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts['start:deno'];
  const [, ...args] = script.split(/\s+/);
  return [`${root}node_modules/.bin/deno`, ...args];
}

/** Starts the service on a free port with `env` added to this process's environment; resolves once it answers. */
export function startService(runtime: 'node' | 'deno', env: Record<string, string>): Promise<RunningService> {
  return startServer(entryCommand(runtime), env, `the ${runtime} service`);
}

/**
 * Starts `command` on a free port (`HOST` and `PORT` in its environment, with `env`) and resolves once it answers
 * any request for `/healthz`; `name` says which server in errors.
 */
export async function startServer(
  [command, ...args]: string[],
  env: Record<string, string>,
  name: string,
): Promise<RunningService> {
  const port = await freePort();
  const child: ChildProcess = spawn(command!, args, {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const exitedAtStart = () => new Error(`${name} exited at start:\n${output}`);
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw exitedAtStart();
        return fetch(`${base}/healthz`).then(
          () => true,
          () => false,
        );
      },
      `${name} to answer`,
      30_000,
    );
  } catch (error) {
    if (child.exitCode !== null) throw exitedAtStart();
    child.kill('SIGKILL');
    throw new Error(`${name} did not answer within 30 s:\n${output}`, { cause: error });
  }
  return {
    base,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        holdUntilExit(child);
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 6_000);
        await exited;
        clearTimeout(killer);
      }
      return child.exitCode;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      holdUntilExit(child);
      child.kill('SIGKILL');
      await exited;
    },
  };
}
