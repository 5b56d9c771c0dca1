/**
 * Repo info with `blobs=true` (huggingface_hub's `model_info(files_metadata=True)`) lists every
 * file of the revision, as long as the repository makes it, and anyone may ask for it. It is
 * written as the client reads it: made whole, each request held all of it until its client had
 * read it, so requests that never read their answer (100 of them for 50,000 files, 5.4 MB each)
 * took the gateway 1 GiB more resident memory (measured by hand). 80,000 files here: an answer
 * longer than what the kernel's socket buffers take for a client that does not read.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { stalledGet } from '../../support/stalled-client.ts';
import { hfE2e, OLD } from './support.ts';

const FILES = 80_000;
const STALLED_CLIENTS = 4;

test('repo info with blobs=true is written as the client reads it: clients that stop reading do not each hold the answer', async (t) => {
  const e = await hfE2e();
  t.after(() => e.close());
  e.hub.addRepo({ id: 'acme/many', createdAt: OLD });
  const files = Array.from({ length: FILES }, (_, i) => ({ path: `data/part-${Math.floor(i / 1000)}/row-${i}.json`, bytes: `{"row":${i}}` }));
  e.hub.commit('acme/many', files, { date: OLD });
  const path = '/huggingface/api/models/acme/many/revision/main?blobs=true';

  // What a client reading to the end gets: every file, with its size and blob id, and the info's own fields.
  const answer = await fetch(`${e.airlock.url}${path}`);
  assert.equal(answer.status, 200);
  const text = await answer.text();
  const info = JSON.parse(text) as { id: string; sha: string; siblings: { rfilename: string; size: number; blobId: string }[] };
  assert.equal(info.id, 'acme/many');
  assert.equal(info.sha, e.hub.sha('acme/many'));
  assert.equal(info.siblings.length, FILES + 1);
  const row = info.siblings.find((s) => s.rfilename === 'data/part-7/row-7777.json');
  assert.deepEqual(row && { size: row.size, blobId: row.blobId }, { size: '{"row":7777}'.length, blobId: e.hub.file('acme/many', 'data/part-7/row-7777.json').oid });

  // Clients that stop reading: what the gateway has queued for each (not yet taken by the socket)
  // is a piece of the answer, not the answer. Written whole, each had all of it queued.
  const url = new URL(e.airlock.url);
  const served: Socket[] = [];
  const onConnection = (s: Socket): void => void served.push(s);
  e.airlock.app.server.on('connection', onConnection);
  const stalled: Socket[] = [];
  let queued = 0;
  try {
    for (let i = 0; i < STALLED_CLIENTS; i++) stalled.push(await stalledGet(url, path));
    for (const s of served) queued += s.writableLength;
  } finally {
    e.airlock.app.server.off('connection', onConnection);
    // Before the gateway closes: it waits for its connections.
    for (const s of stalled) s.destroy();
  }
  assert.equal(served.length, STALLED_CLIENTS);
  assert.ok(queued < text.length, `${STALLED_CLIENTS} stalled clients had ${(queued / 2 ** 20).toFixed(1)} MiB queued, the answer is ${(text.length / 2 ** 20).toFixed(1)} MiB`);
});
