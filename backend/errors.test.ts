import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeForStatus } from './errors.ts';

test('codeForStatus names the statuses the service answers, and anything else is internal', () => {
  const expected: [number, string][] = [
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [408, 'request_timeout'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [500, 'internal'],
  ];
  for (const [status, code] of expected) assert.equal(codeForStatus(status), code, String(status));
});
