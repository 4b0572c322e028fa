import { describeContract } from './testing/contract-suite.ts';
import { startEmbedded, startWithRedisS3 } from './testing/stack.ts';

describeContract('Node, memory cache and files (the embedded default)', () => startEmbedded('node'));
describeContract('Node, Redis and S3', () => startWithRedisS3('node'));
