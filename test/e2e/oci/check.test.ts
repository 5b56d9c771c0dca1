/**
 * `airlock check oci` agrees with the real skopeo: an image the check calls allowed is pulled
 * through Airlock; one the policy holds (unsigned where `image_signers` requires a signer; built
 * an hour ago, inside the cooldown; a multi-platform image whose platform images are young) is
 * reported with the rule and skopeo's pull of it fails; an unknown tag is version-not-found, an
 * unknown image repository package-not-found. The check records nothing: no decision, no
 * quarantine record.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildImage, buildMultiArch, buildNestedIndex, cosignLegacySignatureLayout, hasRegistryTools, pushObject, skopeo, SKIP_NO_REGISTRY_TOOLS, startRegistry, writeLayout, type FixtureRegistry } from '../../support/oci/index.ts';
import { imageSigner, ociE2e, REPO, type ImageSigner, type OciE2e } from './support.ts';
import { adminGet, airlockCli, createToken } from '../npm/support.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

interface Checked {
  status: string;
  verdict: string | null;
  version: string | null;
  purl: string | null;
  phase: string;
  decidedBy: string[];
  reasons: { message: string; rule?: string }[];
  quarantineId: string | null;
  notJudged: string | null;
  message: string | null;
  facts: { image?: { reference: string | null; kind: string }; image_signature?: { status: string } } | null;
  parts: { label: string; version: string; verdict: string; decidedBy: string[] }[] | null;
}

describe('airlock check oci, against skopeo', { skip }, () => {
  let e: OciE2e;
  let signer: ImageSigner;
  const unsigned = buildImage({ files: { 'a.txt': 'unsigned\n' } });
  const signed = buildImage({ files: { 'b.txt': 'signed\n' } });
  const young = buildImage({ files: { 'new.txt': 'just built\n' }, created: new Date(Date.now() - 3600_000).toISOString() });
  const built = new Date(Date.now() - 3600_000).toISOString();
  const multi = buildMultiArch([
    { files: { 'arch.txt': 'amd64, just built\n' }, architecture: 'amd64', created: built },
    { files: { 'arch.txt': 'arm64, just built\n' }, architecture: 'arm64', created: built },
  ]);

  const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
  // An index listing an index (one old and one young platform image) and an old image of its own.
  const inner = buildMultiArch([
    { files: { 'arch.txt': 'amd64, a month old\n' }, architecture: 'amd64', created: old },
    { files: { 'arch.txt': 'arm64, just built\n' }, architecture: 'arm64', created: built },
  ]);
  const s390x = buildImage({ files: { 'arch.txt': 's390x, a month old\n' }, architecture: 's390x', created: old });
  const nested = buildNestedIndex([inner, s390x]);
  // The same shape, all old, under signed/*: only the outer index is signed.
  const signedInner = buildMultiArch([
    { files: { 'arch.txt': 'signed amd64\n' }, architecture: 'amd64', created: old },
    { files: { 'arch.txt': 'signed arm64\n' }, architecture: 'arm64', created: old },
  ]);
  const signedNested = buildNestedIndex([signedInner, s390x]);

  const check = async (...refs: string[]): Promise<{ code: number | null; results: Checked[]; stderr: string }> => {
    const r = await e.cli(['check', 'oci', ...refs, '--format', 'json']);
    const parsed = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as Checked | Checked[]);
    return { code: r.code, results: Array.isArray(parsed) ? parsed : [parsed], stderr: r.stderr };
  };
  const recorded = async (digest: string): Promise<number> => {
    const purl = `pkg:oci/signed/app@${encodeURIComponent(digest)}`;
    return ((await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: unknown[] }).items.length;
  };

  before(async () => {
    signer = await imageSigner();
    e = await ociE2e(signer.options);
    const signature = cosignLegacySignatureLayout({ imageDigest: signed.manifestDigest, signatures: [{ privateKey: signer.privateKey, dockerReference: 'registry.example/signed/app' }] });
    await e.seed('signed/app', [
      { ...unsigned, ref: 'unsigned' },
      { ...signed, ref: 'v1' },
      { ...signature, ref: signature.tag },
    ]);
    await e.seed('acme/fresh', [{ ...young, ref: 'v1' }]);
    await e.seed('acme/multi', [{ ...multi, ref: 'v1' }]);
    await pushObject(e.registry.directUrl, 'acme/nested', 'v1', nested);
    await pushObject(e.registry.directUrl, 'signed/nested', 'v1', signedNested);
    const outerSignature = cosignLegacySignatureLayout({ imageDigest: signedNested.manifestDigest, signatures: [{ privateKey: signer.privateKey, dockerReference: 'registry.example/signed/nested' }] });
    await e.seed('signed/nested', [{ ...outerSignature, ref: outerSignature.tag }]);
  });
  after(async () => {
    await e?.close();
    await signer?.close();
  });

  test('an image signed by the required key: allowed, with what its signature proves, and skopeo pulls it', async () => {
    const r = await check(`${REPO}/signed/app:v1`);
    assert.equal(r.code, 0, r.stderr);
    const [c] = r.results;
    assert.equal(c?.status, 'judged');
    assert.equal(c?.verdict, 'allow');
    assert.equal(c?.version, signed.manifestDigest);
    assert.equal(c?.phase, 'artifact');
    assert.equal(c?.facts?.image_signature?.status, 'verified');
    assert.equal(c?.facts?.image?.reference, 'v1');
    assert.match(c?.notJudged ?? '', /no layer is fetched/);
    assert.equal(await recorded(signed.manifestDigest), 0, 'the check recorded no decision');
    const pulled = await e.pull('signed/app:v1');
    assert.equal(pulled.code, 0, pulled.stderr);
  });

  test('an unsigned image where a signer is required: blocked by the rule, nothing recorded, and skopeo is refused', async () => {
    const r = await check(`${REPO}/signed/app:unsigned`);
    assert.equal(r.code, 1);
    const [c] = r.results;
    assert.equal(c?.verdict, 'block');
    assert.deepEqual(c?.decidedBy, ['image.signature_required']);
    assert.match(c?.reasons[0]?.message ?? '', /must be signed by the key [0-9a-f]{64} \(image_signers\), but it is not signed/);
    assert.equal(await recorded(unsigned.manifestDigest), 0, 'the check recorded no decision');
    const text = await e.cli(['check', 'oci', `${REPO}/signed/app:unsigned`]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /signed\/app@sha256:[0-9a-f]{64} \(pkg:oci\/signed\/app@sha256%3A[0-9a-f]{64}\): BLOCK — decided by image\.signature_required/);
    assert.match(text.stdout, /\(artifact phase; no layer is fetched by a check/);
    const pulled = await e.pull('signed/app:unsigned');
    assert.notEqual(pulled.code, 0);
    assert.match(pulled.stderr, /\[image\.signature_required\]/);
  });

  test('a young image: quarantined by the cooldown without a record opened; skopeo is refused and a record opened then', async () => {
    const r = await check(`${REPO}/acme/fresh:v1`);
    assert.equal(r.code, 1);
    const [c] = r.results;
    assert.equal(c?.verdict, 'quarantine');
    assert.ok(c?.decidedBy.includes('cooldown'), JSON.stringify(c?.decidedBy));
    assert.equal(c?.quarantineId, null);
    assert.deepEqual(JSON.parse((await e.cli(['quarantine', 'list', '--format', 'json'])).stdout), [], 'the check opened no quarantine record');
    const pulled = await e.pull('acme/fresh:v1');
    assert.notEqual(pulled.code, 0);
    assert.match(pulled.stderr, /is quarantined by Airlock: .*\[cooldown\]/);
    const again = await check(`${REPO}/acme/fresh@${young.manifestDigest}`);
    assert.equal(again.results[0]?.verdict, 'quarantine');
    assert.match(again.results[0]?.quarantineId ?? '', /\S/, 'once the pull opened a record, the check names it');
  });

  test('a multi-platform image: the index and each platform image are judged; the young platform images hold it', async () => {
    const r = await check(`${REPO}/acme/multi:v1`);
    assert.equal(r.code, 1);
    const [c] = r.results;
    assert.equal(c?.version, multi.indexDigest);
    assert.equal(c?.facts?.image?.kind, 'index');
    assert.equal(c?.verdict, 'quarantine');
    assert.deepEqual(
      c?.parts?.map((p) => [p.label, p.version, p.verdict]),
      multi.images.map((i, k) => [`linux/${k === 0 ? 'amd64' : 'arm64'}`, i.manifestDigest, 'quarantine']),
    );
    const pulled = await e.pull('acme/multi:v1', { all: true });
    assert.notEqual(pulled.code, 0);
  });

  test('an index in an index: it is judged under the outer one and its platform images under it, as pulls of them are', async () => {
    const r = await check(`${REPO}/acme/nested:v1`);
    assert.equal(r.code, 1);
    const [c] = r.results;
    assert.equal(c?.version, nested.manifestDigest);
    assert.equal(c?.verdict, 'quarantine', 'the young platform image of the inner index holds the whole');
    const innerLabel = inner.indexDigest.slice(0, 'sha256:'.length + 12);
    assert.deepEqual(
      c?.parts?.map((p) => [p.label, p.version, p.verdict]),
      [
        [innerLabel, inner.indexDigest, 'allow'],
        [`${innerLabel} > linux/amd64`, inner.images[0]?.manifestDigest, 'allow'],
        [`${innerLabel} > linux/arm64`, inner.images[1]?.manifestDigest, 'quarantine'],
        ['linux/s390x', s390x.manifestDigest, 'allow'],
      ],
    );
    assert.equal(c?.parts?.find((p) => p.verdict === 'quarantine')?.decidedBy.includes('cooldown'), true);
    // A pull of each agrees: the old ones come through Airlock, the young one is held with the cooldown.
    assert.equal((await e.pull(`acme/nested@${inner.images[0]?.manifestDigest}`)).code, 0);
    assert.equal((await e.pull(`acme/nested@${s390x.manifestDigest}`)).code, 0);
    const young = await e.pull(`acme/nested@${inner.images[1]?.manifestDigest}`);
    assert.notEqual(young.code, 0);
    assert.match(young.stderr, /is quarantined by Airlock: .*\[cooldown\]/);
  });

  test("an index in a signed index is covered by the outer index's signature, and so are its platform images, in a check and in pulls", async () => {
    const r = await check(`${REPO}/signed/nested:v1`);
    assert.equal(r.code, 0, JSON.stringify(r.results));
    const [c] = r.results;
    assert.equal(c?.verdict, 'allow');
    assert.deepEqual(
      c?.parts?.map((p) => [p.version, p.verdict]),
      [signedInner.indexDigest, ...signedInner.images.map((i) => i.manifestDigest), s390x.manifestDigest].map((d) => [d, 'allow']),
    );
    // Asked for alone, before any index above it was pulled, an unsigned platform image is refused.
    const platform = `signed/nested@${signedInner.images[0]?.manifestDigest}`;
    const alone = await e.inspectRaw(platform);
    assert.notEqual(alone.code, 0);
    assert.match(alone.stderr, /signature/);
    // A client walks down by digest from the tag; each step is served under the signed outer index.
    for (const ref of ['signed/nested:v1', `signed/nested@${signedInner.indexDigest}`, platform]) {
      const got = await e.inspectRaw(ref);
      assert.equal(got.code, 0, `${ref}: ${got.stderr}`);
    }
  });

  test('an unknown tag is version-not-found, an unknown image repository package-not-found; several at once keep their order', async () => {
    const r = await check(`${REPO}/signed/app:nope`, `${REPO}/acme/never-pushed:v1`, `${REPO}/signed/app:v1`);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.results.map((x) => [x.status, x.verdict]),
      [
        ['version-not-found', null],
        ['package-not-found', null],
        ['judged', 'allow'],
      ],
    );
    assert.match(r.results[0]?.message ?? '', /signed\/app:nope does not exist/);
    const pulled = await e.pull('signed/app:nope');
    assert.notEqual(pulled.code, 0);
  });

  test('the API takes oci purls: a digest as the version, a tag as the tag qualifier; a tag as the version is refused', async () => {
    const byTag = (await e.api(`check?repo=${REPO}&purl=${encodeURIComponent('pkg:oci/signed/app?tag=unsigned')}`)) as Checked;
    assert.equal(byTag.verdict, 'block');
    assert.equal(byTag.facts?.image?.reference, 'unsigned');
    const byDigest = (await e.api(`check?repo=${REPO}&purl=${encodeURIComponent(`pkg:oci/signed/app@${signed.manifestDigest}`)}`)) as Checked;
    assert.equal(byDigest.verdict, 'allow');
    assert.equal(byDigest.facts?.image?.reference, null);
    const res = await fetch(`${e.airlock.url}/-/api/check?repo=${REPO}&purl=${encodeURIComponent('pkg:oci/signed/app@v1')}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /manifest digest.*tag qualifier/);
  });

  test('a reference without the repository is a usage error', async () => {
    const r = await e.cli(['check', 'oci', 'alpine:3.20']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /REPO\/IMAGE/);
  });
});

describe('airlock check oci on a hosted repository and through a group', { skip }, () => {
  let registry: FixtureRegistry;
  let airlock: StartedAirlock;
  let tmp: string;
  const image = buildImage({ files: { 'team.txt': 'pushed\n' } });
  const cli = (args: readonly string[]) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken });
  const status = async (ref: string): Promise<[string, string | null, number | null]> => {
    const r = await cli(['check', 'oci', ref, '--format', 'json']);
    const c = JSON.parse(r.stdout) as Checked;
    return [c.status, c.verdict, r.code];
  };

  before(async () => {
    registry = await startRegistry({});
    tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-check-'));
    airlock = await startAirlock({
      config: {
        policy: { data: { airlock: { settings: { image_signers: [{ images: ['signed/*'], key_hint: 'f'.repeat(64) }] } } } },
        repositories: [
          { name: 'hub', format: 'oci', upstream: `${registry.url}/` },
          { name: 'images', format: 'oci', kind: 'hosted' },
          { name: 'all', format: 'oci', kind: 'group', members: ['images', 'hub'], publishTo: 'images' },
        ],
      },
    });
    const publisher = await createToken(airlock, 'publisher', 'ci');
    const dir = join(tmp, 'layout');
    await writeLayout(dir, [{ ...image, ref: 'v1' }]);
    const host = new URL(airlock.url).host;
    for (const ref of ['team/app:v1', 'signed/app:v1']) {
      const pushed = await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `ci:${publisher}`, `oci:${dir}:v1`, `docker://${host}/images/${ref}`]);
      assert.equal(pushed.code, 0, pushed.stderr);
    }
  });
  after(async () => {
    await airlock?.close();
    await registry?.close();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  test("a pushed image is judged in its hosted repository and through the group, as skopeo's pulls are", async () => {
    const host = new URL(airlock.url).host;
    const pull = (ref: string) => skopeo(['copy', '--src-tls-verify=false', `docker://${host}/${ref}`, `oci:${join(tmp, `pulled-${ref.replace(/\W/g, '-')}`)}:out`]);
    for (const repo of ['images', 'all']) {
      assert.deepEqual(await status(`${repo}/team/app:v1`), ['judged', 'allow', 0], repo);
      assert.equal((await pull(`${repo}/team/app:v1`)).code, 0, repo);
      assert.deepEqual(await status(`${repo}/signed/app:v1`), ['judged', 'block', 1], repo);
      assert.notEqual((await pull(`${repo}/signed/app:v1`)).code, 0, repo);
      assert.deepEqual(await status(`${repo}/team/app:v2`), ['version-not-found', null, 1], repo);
    }
    assert.deepEqual(await status('images/team/nothing:v1'), ['package-not-found', null, 1]);
    // Through the group, a name no member has (its proxy member's upstream has none either).
    assert.deepEqual(await status('all/team/nothing:v1'), ['package-not-found', null, 1]);
    const byApi = (await adminGet(airlock, `check?repo=all&purl=${encodeURIComponent('pkg:oci/team/app?tag=v1')}`)) as Checked;
    assert.equal(byApi.purl, `pkg:oci/team/app@${encodeURIComponent(image.manifestDigest)}`);
  });
});
