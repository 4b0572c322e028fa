import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { until } from '../../scripts/testing/wait.ts';
import { holdUntilExit, killOnExit } from './children.ts';
import { freePort } from './free-port.ts';

/** A private `redis-server` child process for tests, on 127.0.0.1. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:{port}`, for `new Redis(url, …)`. */
  readonly url: string;
  /** Kills the child by its pid and resolves once it has exited; a no-op when it is not running. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as a crash would, and resolves once it has exited; a no-op when it is not running. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted) and resolves once it answers PING. */
  start(): Promise<void>;
  /** `FLUSHALL`, as `redis-cli FLUSHALL` sends it: every key is gone. */
  flushAll(): Promise<void>;
}

export interface RedisServerOptions {
  /** The executable; found on PATH by default. */
  command?: string;
  /** How long to wait for the first PING answer. */
  startTimeoutMs?: number;
  /** More arguments for `redis-server`, e.g. `['--cluster-enabled', 'yes', …]`. */
  args?: string[];
  /** The port; a free one by default. */
  port?: number;
}

const INSTALL_HINT = 'install it with `apt-get install -y redis-server` (Debian) so that `redis-server` is on PATH';

/**
 * Starts `redis-server` (on a free port unless given one) with persistence off and resolves once it answers PING.
 * Call `stop()` when done (an `after` hook): the child is also killed if the test process exits first.
 *
 * @example
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url, redisClientOptions());
 * // … then: client.disconnect(); await redis.stop();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const command = options.command ?? 'redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 5_000;
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(
      command,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        ...(options.args ?? []),
      ],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    killOnExit(proc); // a server left running would keep its port and outlive the test run
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-2_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);

    let spawnError: Error | undefined;
    let hasExited = false;
    exited = new Promise<void>((resolve) => {
      proc.once('error', (error: NodeJS.ErrnoException) => {
        spawnError =
          error.code === 'ENOENT'
            ? new Error(`\`${command}\` was not found: ${INSTALL_HINT}`, { cause: error })
            : error;
        hasExited = true;
        resolve();
      });
      proc.once('exit', () => {
        hasExited = true;
        resolve();
      });
    }).then(() => {
      if (child === proc) child = undefined;
    });

    const exitedEarly = () =>
      spawnError ?? new Error(`redis-server on port ${port} exited before answering PING:\n${output.trim()}`);
    try {
      await until(
        async () => {
          if (hasExited) throw exitedEarly();
          return (await inlineCommand(port, 'PING')) === '+PONG';
        },
        `redis-server on port ${port} to answer PING`,
        startTimeoutMs,
      );
    } catch (error) {
      if (hasExited) throw exitedEarly();
      holdUntilExit(proc);
      proc.kill('SIGKILL');
      await exited;
      throw new Error(
        `redis-server on port ${port} did not answer PING within ${startTimeoutMs} ms:\n${output.trim()}`,
        { cause: error },
      );
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    holdUntilExit(proc);
    proc.kill('SIGTERM');
    // SIGTERM is a clean shutdown (nothing to save); SIGKILL only if it hangs.
    const force = setTimeout(() => proc.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(force);
  }

  async function kill(): Promise<void> {
    if (!child) return;
    holdUntilExit(child);
    child.kill('SIGKILL');
    await exited;
  }

  async function flushAll(): Promise<void> {
    const reply = await inlineCommand(port, 'FLUSHALL');
    if (reply !== '+OK') throw new Error(`FLUSHALL on port ${port} answered ${JSON.stringify(reply)}`);
  }

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start, kill, flushAll };
}

/** One inline command over a fresh connection: the first line of the reply, or `undefined` without one. */
function inlineCommand(port: number, command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (line: string | undefined): void => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(reply.slice(0, end));
    });
  });
}
