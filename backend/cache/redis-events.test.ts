// The Redis event bus on one private Redis: the EventBus contract, and what Redis adds: messages that are not events,
// a subscriber that is not ready yet, closing.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PictureChangedEvent } from '../../contract/picture.ts';
import { until } from '../../scripts/testing/wait.ts';
import { redisClients } from '../testing/redis-clients.ts';
import { startRedisServer } from '../testing/redis-server.ts';
import { redisClientOptions } from './redis-client.ts';
import { createRedisEventBus } from './redis-events.ts';
import { describeRedisEventBusContract } from './redis.contract.ts';

const server = await startRedisServer();
after(() => server.stop());
const redis = redisClients(server);
const { connect, quit, freshPrefix, untilSubscribers } = redis;

describeRedisEventBusContract('redis', redis);

describe('redis event bus: across instances', () => {
  test('a message that is not an event is ignored; a delete event carries version null', async () => {
    const prefix = freshPrefix();
    const [publisher, subscriber, raw] = [await connect(), await connect(), await connect()];
    const bus = createRedisEventBus({ publisher, subscriber, prefix });
    try {
      const got: PictureChangedEvent[] = [];
      bus.subscribe((event) => got.push(event));
      await untilSubscribers(raw, `${prefix}events`, 1);
      for (const junk of ['not json', '42', 'null', '{"userId": 7, "version": "v1"}', '{"userId": "ada"}']) {
        await raw.publish(`${prefix}events`, junk);
      }
      await bus.publish({ userId: 'ada', version: null });
      await until(() => got.length === 1, 'the event');
      assert.deepEqual(got, [{ userId: 'ada', version: null }]);
    } finally {
      await bus.close();
      await quit(publisher, subscriber, raw);
    }
  });

  test('subscribes once its client is ready, even when created before', async () => {
    const prefix = freshPrefix();
    const publisher = await connect();
    const subscriber = new Redis(server.url, redisClientOptions());
    subscriber.on('error', () => {});
    const bus = createRedisEventBus({ publisher, subscriber, prefix }); // subscriber still connecting
    try {
      const got: string[] = [];
      bus.subscribe((event) => got.push(event.userId));
      await untilSubscribers(publisher, `${prefix}events`, 1);
      await bus.publish({ userId: 'ada', version: 'v1' });
      await until(() => got.length === 1, 'the event');
    } finally {
      await bus.close();
      await quit(publisher, subscriber);
    }
  });

  test('close unsubscribes but leaves the clients open', async () => {
    const prefix = freshPrefix();
    const [publisher, subscriber] = [await connect(), await connect()];
    const bus = createRedisEventBus({ publisher, subscriber, prefix });
    await untilSubscribers(publisher, `${prefix}events`, 1);
    await bus.close();
    await untilSubscribers(publisher, `${prefix}events`, 0);
    assert.equal(publisher.status, 'ready');
    assert.equal(subscriber.status, 'ready');
    await quit(publisher, subscriber);
  });
});
