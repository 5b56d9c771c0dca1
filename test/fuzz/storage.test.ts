/**
 * Seeded mutation fuzzing of what an S3-compatible store and the AWS credential services answer
 * the S3 blob store: its XML reader, ListObjectsV2 pages, error bodies, STS's
 * AssumeRoleWithWebIdentity answer and the container and instance metadata JSON, read by their
 * parsers (`targets/s3.ts`); the store's client against a test S3 endpoint that answers one
 * request with the input (`targets/s3-store.ts`: a listing, HEAD, GET, copy, multipart initiation
 * and completion); the instance profile source against a local instance metadata service
 * (`targets/s3-instance.ts`). Each target runs in a worker with a deadline and a heap cap; a
 * failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/s3.ts', import.meta.url).href, 0x53b10b, { 's3-xml': 800, 's3-list-page': 1500, 's3-error-body': 1500, 's3-sts-answer': 1500, 's3-credentials-json': 1500 });
// About 20 ms a call: a multipart upload stages and sends 5 MiB (S3's smallest part) and a byte.
fuzzTests(new URL('./targets/s3-store.ts', import.meta.url).href, 0x53b10b, { 's3-store': 100 });
fuzzTests(new URL('./targets/s3-instance.ts', import.meta.url).href, 0x53b10b, { 's3-instance-metadata': 500 });
