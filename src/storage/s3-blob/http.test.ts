import { test } from 'node:test';
import { assertReadsReleased, bodyServer } from '../../../test/support/response-reads.ts';
import { HttpClient } from './http.ts';

test("S3 client: a response's read buffers are freed once the parser is through them, the body intact, and the connection's next exchange untouched", async (t) => {
  const s = await bodyServer();
  t.after(() => s.close());
  const client = new HttpClient({ secure: false, timeoutMs: 5000, maxSockets: 1, ca: null });
  t.after(() => client.close());
  await assertReadsReleased((path) => client.request({ hostname: '127.0.0.1', port: s.port, method: 'GET', path, headers: {}, body: null, signal: undefined }));
});
