import { describeContract } from './testing/contract-suite.ts';
import { startEmbedded, startWithRedisS3 } from './testing/stack.ts';

// The Deno entry, started as `npm run start:deno` starts it (same permissions): the whole contract, not only a
// smoke test, on the embedded default and with ioredis and minio under Deno.
describeContract('Deno, memory cache and files (the embedded default)', () => startEmbedded('deno'));
describeContract('Deno, Redis and S3', () => startWithRedisS3('deno'));
