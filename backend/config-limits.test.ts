import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig } from './config.ts';

test('the stream, upload and header limits are read, each with its default', () => {
  const defaults = readConfig({});
  assert.deepEqual(
    [
      defaults.trustProxy,
      defaults.maxStreamsPerClient,
      defaults.maxStreams,
      defaults.maxUploadsPerClient,
      defaults.maxUploadMemoryBytes,
      defaults.headersTimeoutMs,
    ],
    [0, 16, 512, 4, 80 * 1024 * 1024, 20_000],
  );
  const set = readConfig({
    MAX_STREAMS_PER_CLIENT: '4',
    MAX_STREAMS: '2000',
    MAX_UPLOADS_PER_CLIENT: '1',
    MAX_UPLOAD_MEMORY_BYTES: '1048576',
    HEADERS_TIMEOUT_MS: '5000',
  });
  assert.deepEqual(
    [set.maxStreamsPerClient, set.maxStreams, set.maxUploadsPerClient, set.maxUploadMemoryBytes, set.headersTimeoutMs],
    [4, 2000, 1, 1_048_576, 5_000],
  );
  for (const name of [
    'MAX_STREAMS_PER_CLIENT',
    'MAX_STREAMS',
    'MAX_UPLOADS_PER_CLIENT',
    'MAX_UPLOAD_MEMORY_BYTES',
    'HEADERS_TIMEOUT_MS',
  ]) {
    assert.throws(
      () => readConfig({ [name]: '0' }),
      (e: Error) => e instanceof ConfigError && e.message.startsWith(`${name}=0 `),
    );
  }
});

test('TRUST_PROXY is a number of proxies, true (one) or false (none); anything else stops the start', () => {
  for (const [value, hops] of [
    ['', 0],
    ['false', 0],
    ['0', 0],
    ['true', 1],
    [' TRUE ', 1],
    ['1', 1],
    ['2', 2],
  ] as const) {
    assert.equal(readConfig({ TRUST_PROXY: value }).trustProxy, hops, JSON.stringify(value));
  }
  for (const value of ['yes', '-1', '1.5']) {
    assert.throws(
      () => readConfig({ TRUST_PROXY: value }),
      (e: Error) => e instanceof ConfigError && /^TRUST_PROXY=.* X-Forwarded-For/.test(e.message),
    );
  }
});
