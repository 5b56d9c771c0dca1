import { test } from 'node:test';
import { assertReadsReleased, bodyServer } from '../../test/support/response-reads.ts';
import { Transport } from './transport.ts';

test("a response's read buffers are freed once the parser is through them, the body intact, and the connection's next exchange untouched", async (t) => {
  const s = await bodyServer();
  t.after(() => s.close());
  const transport = new Transport({ connections: 1, connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, keepAliveTimeoutMs: 5000 });
  t.after(() => transport.close());
  await assertReadsReleased(async (path) => (await transport.request(new URL(path, `http://127.0.0.1:${s.port}`), { method: 'GET', headers: {}, body: null, signal: undefined })).body);
});
