import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, type E2e } from './support.ts';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';

interface Found {
  readonly name: string;
  readonly version: string;
  readonly date?: string;
  readonly maintainers: readonly { username: string }[];
  readonly description?: string;
}

async function searchJson(s: E2e, words: readonly string[], registry?: string): Promise<{ code: number; found: Found[]; output: string }> {
  const p = await s.project();
  const r = await p.npm(['search', '--json', ...words], registry === undefined ? {} : { registry });
  return { code: r.code, found: r.code === 0 ? (JSON.parse(r.stdout) as Found[]) : [], output: r.output };
}

const PACKAGES = [...FIXTURE_PACKAGES, { name: 'pad-right', versions: [{ version: '0.1.0' }, { version: '0.2.0' }] }];

/** Airlock in front of an upstream that answers every search with `answer` (JSON), or 404 (`none`). */
async function upstreamAnswering(answer: unknown): Promise<E2e> {
  const s = await e2e({ packages: PACKAGES });
  s.env.registry.setSearchAnswer(answer === 'none' ? 'none' : Buffer.from(JSON.stringify(answer)));
  return s;
}

test('npm search through Airlock shows each package at the version an install gets, and leaves out what the gate lets none of through', async (t) => {
  const s = await e2e({ packages: PACKAGES });
  t.after(() => s.close());

  const pad = await searchJson(s, ['pad']);
  assert.equal(pad.code, 0, pad.output);
  assert.deepEqual(pad.found.map((f) => [f.name, f.version]), [['left-pad', '1.3.0'], ['pad-right', '0.2.0']]);
  assert.equal(pad.found[0]?.date, s.env.registry.package('left-pad').time['1.3.0']);
  assert.deepEqual(pad.found[0]?.maintainers.map((m) => m.username), ['fixture-publisher']);

  // hide-me@2.0.0 is blocked: the upstream says 2.0.0, an install gets 1.0.0, and so does the result.
  const hidden = await searchJson(s, ['hide']);
  assert.equal(hidden.code, 0, hidden.output);
  assert.deepEqual(hidden.found.map((f) => [f.name, f.version, f.date]), [['hide-me', '1.0.0', s.env.registry.package('hide-me').time['1.0.0']]]);
  const direct = await searchJson(s, ['hide'], s.env.registry.url);
  assert.deepEqual(direct.found.map((f) => [f.name, f.version]), [['hide-me', '2.0.0']], 'the upstream offers the blocked version');

  // evil-pkg is denied and held-pkg quarantined, every version: neither is offered.
  const p = await s.project();
  const none = await p.npm(['search', 'evil', 'held']);
  assert.equal(none.code, 0, none.output);
  assert.match(none.stdout, /No matches found for "evil" "held"/);
  const upstream = await p.npm(['search', 'evil', 'held'], { registry: s.env.registry.url });
  assert.match(upstream.stdout, /evil-pkg/);
  assert.match(upstream.stdout, /held-pkg/);

  // The human-readable listing, as npm prints it.
  const text = await p.npm(['search', 'left-pad']);
  assert.equal(text.code, 0, text.output);
  assert.match(text.stdout, /left-pad\n.*left-pad fixture\nVersion 1\.3\.0 published 2023-01-03 by fixture-publisher\nMaintainers: fixture-publisher/);
});

test('a search result the upstream lists but cannot serve is left out, and is not taken for a name a client asked for', async (t) => {
  const s = await upstreamAnswering({
    objects: [
      { package: { name: 'left-pad', version: '1.3.0', maintainers: [{ username: 'fixture-publisher' }] } },
      { package: { name: 'ghost-package-not-upstream', version: '1.0.0', maintainers: [{ username: 'someone' }] } },
    ],
    total: 2,
  });
  t.after(() => s.close());
  const r = await searchJson(s, ['pad']);
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(r.found.map((f) => f.name), ['left-pad']);
  const res = await fetch(`${s.airlock.url}/-/api/signals/missing`, { headers: { authorization: `Bearer ${s.airlock.adminToken}` } });
  assert.equal(res.status, 200);
  const missing = (await res.json()) as { items: { name: string }[] };
  assert.deepEqual(missing.items.map((i) => i.name), [], 'a name from a search result is not a request for a missing package');
});

test('a hostile search answer: npm fails on it straight from the upstream, and prints checked results through Airlock', async (t) => {
  const s = await upstreamAnswering({
    objects: [
      // No maintainers: npm's formatter calls data.maintainers.map and throws.
      { package: { name: 'left-pad', version: '9.9.9', description: 'pads \u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007 \u001b[2Jstrings', date: 'not a date' } },
      { package: { name: '../../etc/passwd', maintainers: [] } },
      'not an object',
      { package: { name: 'pad-right', maintainers: [{ username: 42 }, { username: 'real-one', email: 'x@example.invalid' }], keywords: ['pad', 7, 'x'.repeat(500)] } },
    ],
    total: 'many',
  });
  t.after(() => s.close());
  const p = await s.project();
  const direct = await p.npm(['search', 'pad'], { registry: s.env.registry.url });
  assert.notEqual(direct.code, 0, 'npm cannot print this answer itself');
  assert.match(direct.output, /Cannot read properties of undefined \(reading 'map'\)/);

  const r = await searchJson(s, ['pad']);
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(r.found.map((f) => [f.name, f.version]), [['left-pad', '1.3.0'], ['pad-right', '0.2.0']]);
  assert.deepEqual(r.found[0]?.maintainers, []);
  assert.doesNotMatch(r.found[0]?.description ?? '', /[\u0000-\u001f]/);
  assert.deepEqual(r.found[1]?.maintainers.map((m) => m.username), ['real-one']);
  const text = await p.npm(['search', 'pad']);
  assert.equal(text.code, 0, text.output);
  assert.match(text.stdout, /Version 1\.3\.0 published 2023-01-03/);
});

test('npm search through Airlock when the upstream has no search endpoint names the reason', async (t) => {
  const s = await upstreamAnswering('none');
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['search', 'pad']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /404 Not Found - GET \S+\/-\/v1\/search\?\S+ - search is not available through Airlock: the upstream has no search endpoint \(it answered 404\)/);
});
