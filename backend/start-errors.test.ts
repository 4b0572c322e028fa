// What a person reads when starting the service, from its real entries: a setting that cannot work stops the start
// with one line naming it and the fix (no stack trace, exit code 1), and a start that works ends with where to go.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { killOnExit } from './testing/children.ts';
import { freePort } from './testing/free-port.ts';
import { entryCommand, startService } from './testing/service.ts';
import { TEST_SERVICE_ENV } from './testing/stack.ts';

const root = new URL('../', import.meta.url).pathname;

/** What a run of the entry printed, and how it ended. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` from the project's root on a free port with `env` added, until it exits or (when `until` is given)
 * prints a line on stdout matching it, which stops it.
 */
async function run(command: string[], env: Record<string, string>, until?: RegExp): Promise<Run> {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(await freePort()), NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  child.ref();
  const out: Run = { code: null, stdout: '', stderr: '' };
  child.stderr!.on('data', (d) => (out.stderr += d));
  child.stdout!.on('data', (d) => {
    out.stdout += d;
    if (until?.test(out.stdout)) child.kill('SIGTERM');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  out.code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return out;
}

/** Checks that `stderr` is exactly one line, with no stack trace, and answers it. */
function oneLine({ code, stderr, stdout }: Run): string {
  assert.equal(code, 1, `exit code 1:\n${stdout}${stderr}`);
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  return lines[0]!;
}

/** A folder under ./.data, the one folder `npm run start:deno` may read and write; removed after `body`. */
async function underData(body: (dir: string) => Promise<void>): Promise<void> {
  await mkdir(join(root, '.data'), { recursive: true });
  const dir = await mkdtemp(join(root, '.data', 'start-test-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: a DATA_DIR that cannot be a directory stops the start with one line naming it`, () =>
    underData(async (dir) => {
      const file = join(dir, 'not-a-directory');
      await writeFile(file, '');
      const line = oneLine(await run(entryCommand(runtime), { ...TEST_SERVICE_ENV, DATA_DIR: file }));
      assert.ok(line.startsWith(`DATA_DIR ${file} cannot be used (ENOTDIR`), line);
      assert.match(line, /: set DATA_DIR to a folder this process may create and write to\.$/);
    }));

  test(`${runtime}: a bad setting stops the start with one line naming the variable and the fix, exit code 1`, async () => {
    const line = oneLine(await run(entryCommand(runtime), { ...TEST_SERVICE_ENV, AUTH_SECRET: 'short' }));
    assert.equal(
      line,
      "AUTH_SECRET is too short to sign tokens safely: use at least 32 characters (e.g. `openssl rand -hex 32`), or leave it unset for the demo's sign-in.",
    );
    assert.equal(
      oneLine(await run(entryCommand(runtime), { ...TEST_SERVICE_ENV, PORT: 'eighty' })),
      'PORT=eighty is not a positive whole number.',
    );
  });

  test(`${runtime}: the last line at start names the demo's address, the API's, and where the pictures are kept`, () =>
    underData(async (dir) => {
      const service = await startService(runtime, { ...TEST_SERVICE_ENV, DATA_DIR: dir });
      try {
        const last = service.output().trimEnd().split('\n').at(-1);
        const demo = existsSync(join(root, 'dist/demo/index.html'))
          ? `Demo on ${service.base}/`
          : 'No demo to serve (`npm run build` makes it)';
        assert.equal(last, `${demo} · API on ${service.base}/api · pictures kept under ${dir} (files), memory cache`);
      } finally {
        await service.stop();
      }
    }));
}

test('deno: a DATA_DIR outside its --allow-read/--allow-write is one line naming the flags to add, which then work', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pictures-elsewhere-'));
  try {
    const env = { ...TEST_SERVICE_ENV, DATA_DIR: dir };
    const line = oneLine(await run(entryCommand('deno'), env));
    const flags = `--allow-read=${dir} --allow-write=${dir}`;
    assert.equal(
      line,
      `DATA_DIR ${dir} is outside the folders this Deno process may read and write: add ${flags} to its deno run command, before backend/deno.ts (npm run start:deno allows .data only).`,
    );

    const command = entryCommand('deno');
    command.splice(command.indexOf('backend/deno.ts'), 0, ...flags.split(' '));
    const started = await run(command, env, /API on /);
    assert.match(
      started.stdout,
      new RegExp(`pictures kept under ${dir} \\(files\\), memory cache\\n$`),
      `${started.stdout}${started.stderr}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
