// A service that cannot work says so at start, from its real entry, instead of answering 503 for ever.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startService } from './testing/service.ts';
import { TEST_SERVICE_ENV } from './testing/stack.ts';

const root = new URL('../', import.meta.url).pathname;

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: a DATA_DIR that cannot be a directory stops the start, naming it`, async () => {
    // Under ./.data, the one folder `npm run start:deno` may read and write.
    await mkdir(join(root, '.data'), { recursive: true });
    const dir = await mkdtemp(join(root, '.data', 'start-test-'));
    const file = join(dir, 'not-a-directory');
    await writeFile(file, '');
    try {
      await assert.rejects(startService(runtime, { ...TEST_SERVICE_ENV, DATA_DIR: file }), (error: Error) => {
        assert.match(error.message, /exited at start/);
        assert.ok(error.message.includes(`DATA_DIR ${file} cannot be used`), error.message);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
