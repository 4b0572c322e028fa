import { describeContract } from './testing/contract-suite.ts';
import { startWithRedisS3 } from './testing/stack.ts';

// The Deno entry with ioredis and minio under Deno: the whole contract, not only a smoke test.
describeContract('Deno, Redis and S3', () => startWithRedisS3('deno'));
