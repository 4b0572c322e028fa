import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from '../../scripts/testing/wait.ts';
import { freePort } from './free-port.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';

const run = promisify(execFile);

/** A private Redis Cluster for tests: `size` masters on 127.0.0.1, no replicas, every slot assigned. */
export interface RedisCluster {
  /** The nodes, each a `redis-server` child that can be stopped, killed and started again on its port. */
  readonly nodes: readonly RedisServer[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`: what `REDIS_CLUSTER_NODES` takes. */
  readonly nodeList: string;
  /** `[{host, port}, …]`: what `new Cluster(…)` takes. */
  readonly startupNodes: { host: string; port: number }[];
  /** Stops every node and removes their cluster files. */
  stop(): Promise<void>;
}

/**
 * Starts `size` `redis-server --cluster-enabled yes` on free ports, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, and resolves once every node reports
 * `cluster_state:ok`. A node started again after `stop()` or `kill()` keeps its slots (its cluster file stays) and
 * comes back empty.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.startupNodes, redisClusterOptions());
 * // … then: client.disconnect(); await cluster.stop();
 */
export async function startRedisCluster({ size = 3 }: { size?: number } = {}): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(
        await startRedisServer({
          // Its cluster bus listens on the port plus 10,000, which must be free too.
          port: await freePort({ plus: 10_000 }),
          // A short node timeout: a node that is gone is noticed within a test's patience.
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${i}.conf`),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    await Promise.all(nodes.map((node) => untilClusterOk(node.port)));
    return {
      nodes,
      nodeList: addresses.join(','),
      startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `CLUSTER INFO` on one node until the cluster is usable from it. */
async function untilClusterOk(port: number, timeoutMs = 15_000): Promise<void> {
  let info = '';
  try {
    await until(
      async () => {
        info = (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout;
        return /cluster_state:ok/.test(info);
      },
      `the Redis Cluster node on port ${port} to be ok`,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`the Redis Cluster node on port ${port} is not ok after ${timeoutMs} ms:\n${info}`, {
      cause: error,
    });
  }
}
