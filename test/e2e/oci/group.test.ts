/**
 * An oci group with the real skopeo: one registry path (`all`) in front of a hosted repository
 * (`images`) and a proxy (`hub`) of Debian's real registry. A pushed image pulls from the hosted
 * member and a public one from the proxy; a name pushed to the hosted member hides the same name
 * upstream completely (dependency confusion); a push through the group lands in publishTo, and a
 * group without one refuses it with a message skopeo prints; a policy refusal reads as the
 * member's. `/v2/_catalog` lists the hosted repository's image repositories, in pages.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { buildImage, hasRegistryTools, MANIFEST_ACCEPT, pushLayout, pushObject, skopeo, SKIP_NO_REGISTRY_TOOLS, startRegistry, writeLayout, type FixtureRegistry, type LayoutEntry } from '../../support/oci/index.ts';
import { imagePurl } from '../../../src/ecosystems/oci/facts.ts';
import { createToken } from '../npm/support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

const internal = buildImage({ files: { 'app/hello.txt': 'the internal team/app\n' } });
const impostor = buildImage({ files: { 'app/hello.txt': 'a public image named team/app\n' } });
const publicImage = buildImage({ files: { 'etc/motd': 'a public image\n' } });
const shadowed = buildImage({ files: { 'etc/motd': 'public acme/shadow\n' } });
const ours = buildImage({ files: { 'etc/motd': 'our acme/shadow\n' } });

describe('an oci group of a hosted repository and a proxy', { skip }, () => {
  let registry: FixtureRegistry;
  let airlock: StartedAirlock;
  let host: string;
  let tmp: string;
  let publisher: string;
  let dirs = 0;

  /** Puts layout entries into the upstream registry directly, as `name:<ref>`. */
  async function seed(name: string, entry: LayoutEntry): Promise<void> {
    const dir = join(tmp, `seed-${++dirs}`);
    await writeLayout(dir, [entry]);
    await pushLayout(dir, entry.ref, `${registry.directHost}/${name}:${entry.ref}`);
  }
  /** `skopeo copy` of a layout entry to `<airlock>/<path>`, with the publisher's token. */
  async function push(path: string, entry: LayoutEntry) {
    const dir = join(tmp, `layout-${++dirs}`);
    await writeLayout(dir, [entry]);
    return skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `ci:${publisher}`, `oci:${dir}:${entry.ref}`, `docker://${host}/${path}`]);
  }
  /** `skopeo copy` of `<airlock>/<path>` into a fresh layout; the manifest digest it got. */
  async function pull(path: string) {
    const dir = join(tmp, `pulled-${++dirs}`);
    const r = await skopeo(['copy', '--src-tls-verify=false', `docker://${host}/${path}`, `oci:${dir}:out`]);
    const digest = r.code === 0 ? ((JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest ?? null) : null;
    return { ...r, digest };
  }

  before(async () => {
    registry = await startRegistry();
    tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-group-'));
    airlock = await startAirlock({
      config: {
        policy: { data: { airlock: { settings: { image_signers: [{ images: ['signed/*'], key_hint: 'f'.repeat(64) }] } } } },
        repositories: [
          { name: 'hub', format: 'oci', upstream: `${registry.url}/` },
          { name: 'images', format: 'oci', kind: 'hosted' },
          { name: 'all', format: 'oci', kind: 'group', members: ['images', 'hub'], publishTo: 'images' },
          { name: 'readonly', format: 'oci', kind: 'group', members: ['images', 'hub'] },
        ],
      },
    });
    host = new URL(airlock.url).host;
    publisher = await createToken(airlock, 'publisher', 'ci');
    await seed('team/app', { ...impostor, ref: 'v1' });
    await seed('team/app', { ...impostor, ref: 'v2' });
    await seed('acme/public', { ...publicImage, ref: 'v1' });
    await seed('acme/shadow', { ...shadowed, ref: 'v1' });
    await seed('signed/public', { ...publicImage, ref: 'v1' });
    const pushed = await push('images/team/app:v1', { ...internal, ref: 'v1' });
    assert.equal(pushed.code, 0, pushed.stderr);
  });
  after(async () => {
    await airlock?.close();
    await registry?.close();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  test('a pushed image pulls from the hosted member, an image only the upstream has from the proxy', async () => {
    const mine = await pull('all/team/app:v1');
    assert.equal(mine.code, 0, mine.stderr);
    assert.equal(mine.digest, internal.manifestDigest);
    registry.reset();
    const theirs = await pull('all/acme/public:v1');
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(theirs.digest, publicImage.manifestDigest);
    assert.ok(registry.count('GET', /\/v2\/acme\/public\/manifests\/v1/) > 0, 'the proxy fetched it from its upstream');
  });

  test('a name pushed to the hosted member hides the same name upstream: no tag, manifest or blob of it comes through', async () => {
    registry.reset();
    // The upstream's team/app has a v2; the group serves team/app from the hosted member alone.
    const v2 = await pull('all/team/app:v2');
    assert.notEqual(v2.code, 0);
    assert.match(v2.stderr, /manifest unknown: Airlock: team\/app:v2 has not been pushed to images/);
    const tags = await skopeo(['list-tags', '--tls-verify=false', `docker://${host}/all/team/app`]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['v1']);
    const byDigest = await airlock.app.inject({ method: 'GET', url: `/v2/all/team/app/manifests/${impostor.manifestDigest}`, headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(byDigest.statusCode, 404);
    const blob = await airlock.app.inject({ method: 'GET', url: `/v2/all/team/app/blobs/${impostor.layerDigests[0]}` });
    assert.equal(blob.statusCode, 404);
    assert.equal(registry.count('GET', /\/v2\/team\/app\//), 0, 'the upstream was not even asked');
  });

  test('a push through the group lands in publishTo, and then hides the public image of that name', async () => {
    const before = await pull('all/acme/shadow:v1');
    assert.equal(before.digest, shadowed.manifestDigest, 'the public image, while nothing of that name is pushed');
    const pushed = await push('all/acme/shadow:v1', { ...ours, ref: 'v1' });
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal((await pull('images/acme/shadow:v1')).digest, ours.manifestDigest, 'it is in the hosted repository');
    assert.equal((await pull('all/acme/shadow:v1')).digest, ours.manifestDigest, 'and the group serves it at once');
  });

  test('a group without publishTo refuses a push, and skopeo prints why', async () => {
    const pushed = await push('readonly/team/new:v1', { ...publicImage, ref: 'v1' });
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /unsupported: Airlock: pushing through the group readonly is not set up: push to a hosted oci repository, or name one in the group's publishTo/);
    assert.equal((await airlock.app.inject({ method: 'GET', url: '/v2/images/team/new/tags/list' })).statusCode, 404, 'nothing was stored');
  });

  test('a policy refusal through the group reads as the member\'s, for a pushed image and for a proxied one', async () => {
    const pushed = await push('images/signed/app:v1', { ...internal, ref: 'v1' });
    assert.equal(pushed.code, 0, pushed.stderr);
    const reason = /denied: Airlock: signed\/app@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*must be signed by the key f{64} \(image_signers\), but it is not signed \[image\.signature_required\]/;
    const direct = await pull('images/signed/app:v1');
    const grouped = await pull('all/signed/app:v1');
    assert.notEqual(grouped.code, 0);
    assert.match(direct.stderr, reason);
    assert.match(grouped.stderr, reason);
    // Judged by the member, which the decisions name.
    const purl = imagePurl('signed/app', internal.manifestDigest);
    const decisions = (await (await fetch(`${airlock.url}/-/api/decisions?purl=${encodeURIComponent(purl)}`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as { items: { repo: string }[] };
    assert.ok(decisions.items.length > 0);
    assert.deepEqual([...new Set(decisions.items.map((d) => d.repo))], ['images']);
    // A proxied image the policy refuses: the same reasons through the group as at the proxy's URL.
    const proxied = /denied: Airlock: signed\/public@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*image_signers/;
    assert.match((await pull('hub/signed/public:v1')).stderr, proxied);
    assert.match((await pull('all/signed/public:v1')).stderr, proxied);
    const blob = await airlock.app.inject({ method: 'GET', url: `/v2/all/signed/app/blobs/${internal.layerDigests[0]}` });
    assert.equal(blob.statusCode, 404, 'the refused image\'s blobs are not served');
  });

  test('a name no member has is a NAME_UNKNOWN naming the group, told to the hallucination tripwire', async () => {
    const r = await pull('all/acme/made-up:v1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /name unknown: Airlock: the image repository acme\/made-up is not in any repository of the group all \(images, hub\)/);
    const missing = (await (await fetch(`${airlock.url}/-/api/signals/missing?ecosystem=oci`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as { items: { name: string }[] };
    assert.ok(missing.items.some((m) => m.name === 'acme/made-up'));
  });

  test('/v2/_catalog lists the hosted repository\'s image repositories in pages; the proxy\'s are not listed', async () => {
    const all: string[] = [];
    let next: string | null = '/v2/_catalog?n=2';
    let pages = 0;
    while (next !== null) {
      const res: Response = await fetch(`${airlock.url}${next}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { repositories: string[] };
      assert.ok(page.repositories.length <= 2);
      all.push(...page.repositories);
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      pages++;
    }
    assert.deepEqual(all, ['images/acme/shadow', 'images/signed/app', 'images/team/app']);
    assert.equal(pages, 2);
    const whole = (await (await fetch(`${airlock.url}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.deepEqual(whole.repositories, all);
  });
});

describe('/v2/_catalog when anonymous reads are off', { skip }, () => {
  test('it needs a reader token, and a scoped token sees only its repositories', async () => {
    const airlock = await startAirlock({
      config: {
        access: { anonymousRead: false },
        repositories: [
          { name: 'images', format: 'oci', kind: 'hosted' },
          { name: 'other', format: 'oci', kind: 'hosted' },
        ],
      },
    });
    try {
      const anonymous = await fetch(`${airlock.url}/v2/_catalog`);
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { errors: { code: string }[] }).errors[0]?.code, 'UNAUTHORIZED');
      const publisher = await createToken(airlock, 'publisher', 'ci');
      for (const repo of ['images', 'other']) await pushObject(airlock.url, `${repo}/team/app`, 'v1', publicImage, { authorization: `Bearer ${publisher}` });
      const reader = await createToken(airlock, 'reader', 'dev');
      const res = await fetch(`${airlock.url}/v2/_catalog`, { headers: { authorization: `Bearer ${reader}` } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { repositories: ['images/team/app', 'other/team/app'] });
      const created = await fetch(`${airlock.url}/-/api/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${airlock.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'reader', label: 'scoped', scope: { repos: ['other'] } }),
      });
      const scoped = ((await created.json()) as { token: string }).token;
      const limited = await fetch(`${airlock.url}/v2/_catalog`, { headers: { authorization: `Bearer ${scoped}` } });
      assert.deepEqual(await limited.json(), { repositories: ['other/team/app'] });
    } finally {
      await airlock.close();
    }
  });
});
