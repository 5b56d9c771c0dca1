/**
 * A packument asked for without Accept-Encoding: gzip (curl, a script, anyone without a token)
 * is inflated from the kept gzip'd rendering as the client reads it, never whole. Inflating it
 * whole held the whole body per request until the client had read it, so requests that never
 * read their answer held a packument's size each: 100 of them for a 5 MiB packument took the
 * gateway from 250 MiB to 1.2 GiB resident (measured by hand), and `maxMetadataSize` is 16 MiB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { npmTestEnv, serverFor } from './helpers.ts';
import { stalledGet } from '../support/stalled-client.ts';

/** The rendered packument's size, about: a readme this long and a few versions. */
const README_BYTES = 8 * 1024 * 1024;
const STALLED_CLIENTS = 8;

function bigPackument(registryUrl: string): Buffer {
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: '2020-01-01T00:00:00.000Z', modified: '2020-01-09T00:00:00.000Z' };
  for (let i = 0; i < 8; i++) {
    const v = `1.0.${i}`;
    versions[v] = {
      name: 'big-readme',
      version: v,
      _id: `big-readme@${v}`,
      dist: { tarball: `${registryUrl}big-readme/-/big-readme-${v}.tgz`, shasum: 'a'.repeat(40), integrity: `sha512-${Buffer.alloc(64, i).toString('base64')}` },
    };
    time[v] = `2020-01-0${i + 1}T00:00:00.000Z`;
  }
  // A readme of words, not one repeated byte: gzip's ratio on it is a real document's.
  const words = ['install', 'module', 'function', 'returns', 'options', 'example', 'license', 'version'];
  let readme = '';
  for (let i = 0; readme.length < README_BYTES; i++) readme += `${words[i % 8]}${i % 1000} `;
  return Buffer.from(JSON.stringify({ _id: 'big-readme', name: 'big-readme', 'dist-tags': { latest: '1.0.7' }, versions, time, readme }));
}

test('a packument sent without gzip is inflated as the client reads it: clients that stop reading do not each hold the body', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  env.registry.putRawPackument('big-readme', bigPackument(env.registry.url));
  const a = await serverFor(env);
  t.after(() => a.close());

  // The rendering is made and kept: what follows is what sending it costs.
  const zipped = await fetch(`${a.url}/npm/big-readme`, { headers: { accept: 'application/json', 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  // fetch inflates what it is sent gzip'd; the same body is what must come uninflated below.
  const expected = Buffer.from(await zipped.arrayBuffer());

  // Clients that stop reading: each holds what the socket buffers and a chunk being inflated, not
  // the body. Inflated whole, each held all of it (live until its client reads or leaves).
  const before = process.memoryUsage().arrayBuffers;
  const url = new URL(a.url);
  const stalled: Socket[] = [];
  let held: number;
  try {
    for (let i = 0; i < STALLED_CLIENTS; i++) stalled.push(await stalledGet(url, '/npm/big-readme', ['Accept: application/json']));
    held = process.memoryUsage().arrayBuffers - before;
  } finally {
    // Before the gateway closes: it waits for its connections.
    for (const s of stalled) s.destroy();
  }
  assert.ok(held < expected.length, `${STALLED_CLIENTS} stalled clients held ${(held / 2 ** 20).toFixed(1)} MiB, a body is ${(expected.length / 2 ** 20).toFixed(1)} MiB`);

  // A client reading to the end gets the gzip'd rendering's bytes, with their length.
  const plain = await new Promise<{ length: string | undefined; body: Buffer; encoding: string | undefined }>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1');
      const header = (name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];
      resolve({ length: header('content-length'), encoding: header('content-encoding'), body: all.subarray(split + 4) });
    });
    socket.write(`GET /npm/big-readme HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
  });
  assert.equal(plain.encoding, undefined);
  assert.ok(plain.body.length > README_BYTES);
  assert.equal(plain.length, String(plain.body.length));
  assert.ok(plain.body.equals(expected));
  assert.ok((JSON.parse(plain.body.toString('utf8')) as { readme: string }).readme.length >= README_BYTES);
  const head = await fetch(`${a.url}/npm/big-readme`, { method: 'HEAD', headers: { accept: 'application/json', 'accept-encoding': 'identity' } });
  assert.equal(head.headers.get('content-length'), String(plain.body.length));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});
