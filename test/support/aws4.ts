/**
 * The `aws4` package (an independent SigV4 implementation, without types of its own), typed for
 * what the tests use: the test S3 server checks every request's signature with it, and the
 * signer's differential test compares against it.
 */
import { createRequire } from 'node:module';

export interface Aws4Request {
  method: string;
  host: string;
  path: string;
  service: string;
  region: string;
  headers: Record<string, string>;
  extraHeadersToInclude?: Record<string, boolean>;
  body?: Buffer;
}

export interface Aws4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Aws4 {
  sign(request: Aws4Request, credentials: Aws4Credentials): Aws4Request;
  RequestSigner: new (request: Aws4Request, credentials: Aws4Credentials) => { canonicalString(): string };
}

export const aws4 = createRequire(import.meta.url)('aws4') as Aws4;
