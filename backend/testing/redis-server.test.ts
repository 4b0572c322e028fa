import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startRedisServer } from './redis-server.ts';

describe('startRedisServer', () => {
  test('names the fix when redis-server is not installed', async () => {
    await assert.rejects(
      startRedisServer({ command: 'redis-server-that-is-not-installed' }),
      /apt-get install -y redis-server/,
    );
  });
});
