// The whole HTTP contract with the cache on a three-node Redis Cluster (REDIS_CLUSTER_NODES), on both runtimes.
import { describeContract } from '../testing/contract-suite.ts';
import { startWithRedisClusterS3 } from '../testing/stack.ts';

describeContract('Node, Redis Cluster (three masters) and S3', () => startWithRedisClusterS3('node'));
describeContract('Deno, Redis Cluster (three masters) and S3', () => startWithRedisClusterS3('deno'));
