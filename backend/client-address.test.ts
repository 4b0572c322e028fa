import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from './client-address.ts';

test('a client is an IPv4 address, or an IPv6 /64: the next address of its own block is the same client', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7', 'mapped into IPv6');
  assert.equal(clientKey('203.0.113.7:51234'), '203.0.113.7', 'with a port, as some proxies forward it');
  assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('[2001:db8:1:2::9]:443'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'), 'the next /64 is another client');
});

test('whatever a proxy forwards, the key stays short', () => {
  assert.ok(clientKey('x'.repeat(10_000)).length <= 64);
  assert.ok(clientKey(`${'f'.repeat(5_000)}::1`).length <= 64);
});
