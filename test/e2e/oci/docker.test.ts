/**
 * The real Docker engine through Airlock: a private dockerd (test/support/docker) pulling from a
 * proxy of Debian's registry, a hosted repository and a group, and the docker CLI printing what
 * a user sees. Nothing runs a container (there is no bridge here): what docker keeps is read
 * with `docker image inspect` — the manifest digest it pulled and the config it stored.
 *
 * Docker's registry client is not containers/image: it pings `/v2/` and follows only the
 * challenge it got there (Bearer: the token endpoint, with its login or without), resolves a tag
 * with a HEAD and GETs the manifest by digest, asks for manifest lists first, mounts layers it
 * pushed before from other repositories, and `docker login` checks its credentials at `/v2/`.
 *
 * A refused pull: Docker's engine reads a DENIED manifest as a repository it may not read (by
 * digest: "pull access denied …, repository does not exist or may require 'docker login'") or,
 * resolved from a tag, as a registry that cannot serve by digest ("does not appear to conform to
 * the distribution registry specification", then a second try by tag). Airlock tells Docker a
 * policy refusal as UNKNOWN, which it prints as it comes. (The HEAD that resolves a tag is
 * answered unjudged on purpose: containerd does not GET after a refused HEAD, so it would print
 * a bare "403 Forbidden".)
 *
 * `docker manifest inspect` is the CLI's own registry client, not the engine's: it follows the
 * same challenge, gets a policy refusal as DENIED and prints it as it comes, and prints its own
 * "no such manifest" for a missing one. (`docker buildx imagetools inspect` is not tested: the
 * docker here has no buildx.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildImage, buildMultiArch, hasRegistryTools, MANIFEST_ACCEPT, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { assertDockerOk, dockerClient, dockerDaemonOrSkip, type DockerClient } from '../../support/docker/index.ts';
import { createToken } from '../npm/support.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

const docker = hasRegistryTools() ? await dockerDaemonOrSkip() : { daemon: null, skip: SKIP_NO_REGISTRY_TOOLS };
const skip = docker.skip;
after(async () => {
  await docker.daemon?.stop();
});

const hello = buildImage({ files: { 'etc/motd': 'hello from the proxy\n' } });
const legacy = buildImage({ files: { 'etc/motd': 'a Docker v2 schema 2 image\n' }, mediaTypes: 'docker' });
const multi = buildMultiArch(
  [
    { files: { 'arch.txt': 'amd64\n' }, architecture: 'amd64' },
    { files: { 'arch.txt': 'arm64\n' }, architecture: 'arm64', variant: 'v8' },
  ],
  { mediaTypes: 'docker' },
);
// Built an hour ago: inside the built-in policy's cooldown.
const young = buildImage({ files: { 'new.txt': 'just built\n' }, created: new Date(Date.now() - 3600_000).toISOString() });
const unsigned = buildImage({ files: { 'app.txt': 'nobody signed me\n' } });
/** What Docker's engine says of a DENIED pull: a registry that does not conform (by tag), a login that is missing (by digest). */
const MISLEADING = /does not appear to conform|pull access denied|may require 'docker login'/;

/** `docker image inspect` of a reference: the config digest (docker's image id), the manifest digests it was pulled by, its platform. */
async function inspect(client: DockerClient, ref: string): Promise<{ id: string; repoDigests: string[]; platform: string }> {
  const r = assertDockerOk(await client.run(['image', 'inspect', '--format', '{{json .}}', ref]), `inspecting ${ref}`);
  const image = JSON.parse(r.stdout) as { Id: string; RepoDigests: string[]; Os: string; Architecture: string; Variant?: string };
  return { id: image.Id, repoDigests: image.RepoDigests, platform: [image.Os, image.Architecture, image.Variant ?? ''].filter((p) => p !== '').join('/') };
}

/** A docker CLI user of the daemon, with a configuration (and so logins) of its own. */
function newClient(): DockerClient {
  if (docker.daemon === null) throw new Error('no Docker daemon: the suites are skipped');
  return dockerClient(docker.daemon);
}

describe('docker through Airlock: a proxy, a hosted repository and a group', { skip }, () => {
  let e: OciE2e;
  let publisher: string;
  let reader: string;
  /** Pulls and inspects; logs in nowhere. */
  let anonymous: DockerClient;
  before(async () => {
    e = await ociE2e({
      top: { policy: { data: { airlock: { settings: { image_signers: [{ images: ['signed/*'], key_hint: 'f'.repeat(64) }] } } } } },
      repositories: [
        { name: 'images', format: 'oci', kind: 'hosted' },
        { name: 'all', format: 'oci', kind: 'group', members: ['images', REPO], publishTo: 'images' },
      ],
    });
    await e.seed('library/hello', [{ ...hello, ref: 'v1' }]);
    await e.seed('library/legacy', [{ ...legacy, ref: 'v1' }]);
    await e.seed('library/multi', [{ ...multi, ref: 'v1' }]);
    await e.seed('acme/fresh', [{ ...young, ref: 'v1' }]);
    await e.seed('signed/app', [{ ...unsigned, ref: 'v1' }]);
    publisher = await createToken(e.airlock, 'publisher', 'ci');
    reader = await createToken(e.airlock, 'reader', 'dev');
    anonymous = newClient();
  });
  after(async () => {
    await e?.close();
  });

  test('docker pull by tag and by digest through the proxy keeps the image seeded upstream', async () => {
    const ref = `${e.host}/${REPO}/library/hello`;
    const byTag = await anonymous.run(['pull', `${ref}:v1`]);
    assert.equal(byTag.code, 0, byTag.stderr);
    assert.match(byTag.stdout, new RegExp(`Digest: ${hello.manifestDigest}`));
    const pulled = await inspect(anonymous, `${ref}:v1`);
    assert.equal(pulled.id, hello.configDigest, 'docker stored the config Airlock served');
    assert.deepEqual(pulled.repoDigests, [`${ref}@${hello.manifestDigest}`]);
    assert.equal(pulled.platform, 'linux/amd64');
    assert.equal(e.registry.count('GET', new RegExp(`/v2/library/hello/blobs/${hello.layerDigests[0]}`)), 1, 'the layer came from upstream once');

    // Gone from the daemon (every name of it), then pulled by digest alone.
    assertDockerOk(await anonymous.run(['rmi', '--force', hello.configDigest]));
    const byDigest = await anonymous.run(['pull', `${ref}@${hello.manifestDigest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    assert.match(byDigest.stdout, /Downloaded newer image/);
    assert.equal((await inspect(anonymous, `${ref}@${hello.manifestDigest}`)).id, hello.configDigest);
  });

  test('an image the upstream does not have: docker says which, with Airlock\'s words', async () => {
    const tag = await anonymous.run(['pull', `${e.host}/${REPO}/library/hello:v9`]);
    assert.match(tag.stderr, /^Error response from daemon: manifest for \S+\/library\/hello:v9 not found: manifest unknown: Airlock: not found: library\/hello:v9 does not exist upstream/);
    const name = await anonymous.run(['pull', `${e.host}/${REPO}/library/made-up:v1`]);
    assert.match(name.stderr, /^Error response from daemon: repository \S+\/library\/made-up not found: name unknown: Airlock: not found: the image repository library\/made-up does not exist upstream/);
  });

  test('docker pull of a Docker v2 schema 2 image', async () => {
    const ref = `${e.host}/${REPO}/library/legacy:v1`;
    const r = await anonymous.run(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await inspect(anonymous, ref)).id, legacy.configDigest);
  });

  test('docker pulls the linux/amd64 image of a multi-platform image, and the one --platform names', async () => {
    const ref = `${e.host}/${REPO}/library/multi:v1`;
    const [amd64, arm64] = multi.images;
    const r = await anonymous.run(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    const pulled = await inspect(anonymous, ref);
    assert.equal(pulled.id, amd64?.configDigest);
    assert.equal(pulled.platform, 'linux/amd64');
    assert.deepEqual(pulled.repoDigests, [`${e.host}/${REPO}/library/multi@${multi.indexDigest}`], 'known by the list\'s digest');
    const arm = await anonymous.run(['pull', '--platform', 'linux/arm64/v8', ref]);
    assert.equal(arm.code, 0, arm.stderr);
    const other = await inspect(anonymous, ref);
    assert.equal(other.id, arm64?.configDigest);
    assert.equal(other.platform, 'linux/arm64/v8');
  });

  test('docker manifest inspect (the CLI\'s own registry client) of a multi-platform image through the proxy: the list, and with --verbose each image', async () => {
    const ref = `${e.host}/${REPO}/library/multi:v1`;
    const platformOf = (p: { os: string; architecture: string; variant?: string }) => [p.os, p.architecture, p.variant ?? ''].filter((x) => x !== '').join('/');
    const list = await anonymous.run(['manifest', 'inspect', '--insecure', ref]);
    assert.equal(list.code, 0, list.stderr);
    const index = JSON.parse(list.stdout) as { manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] };
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, platformOf(m.platform)]),
      multi.images.map((i, n) => [i.manifestDigest, ['linux/amd64', 'linux/arm64/v8'][n]]),
    );
    const verbose = await anonymous.run(['manifest', 'inspect', '--insecure', '--verbose', ref]);
    assert.equal(verbose.code, 0, verbose.stderr);
    const images = JSON.parse(verbose.stdout) as { Ref: string; Descriptor: { digest: string }; OCIManifest: { config: { digest: string } } }[];
    assert.deepEqual(
      images.map((i) => [i.Ref, i.Descriptor.digest, i.OCIManifest.config.digest]),
      multi.images.map((i) => [`${ref}@${i.manifestDigest}`, i.manifestDigest, i.configDigest]),
    );
    const missing = await anonymous.run(['manifest', 'inspect', '--insecure', `${e.host}/${REPO}/library/multi:v9`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /^no such manifest: \S+\/library\/multi:v9$/m, 'docker prints its own words for MANIFEST_UNKNOWN');
  });

  test('a quarantined image: docker prints the reason, the quarantine id and how to release it; once released docker pulls it', async () => {
    const ref = `${e.host}/${REPO}/acme/fresh`;
    const r = await anonymous.run(['pull', `${ref}:v1`]);
    assert.notEqual(r.code, 0);
    const m = /^Error response from daemon: unknown: Airlock: acme\/fresh@sha256:[0-9a-f]{12} is quarantined by Airlock: .*hours ago.*\[cooldown\]\. Quarantine id (\S+);.*airlock quarantine release \1/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, MISLEADING, 'no word of a registry that does not conform');
    const byDigest = await anonymous.run(['pull', `${ref}@${young.manifestDigest}`]);
    assert.notEqual(byDigest.code, 0);
    assert.match(byDigest.stderr, /^Error response from daemon: unknown: Airlock: acme\/fresh@sha256:[0-9a-f]{12} is quarantined by Airlock: .*\[cooldown\]/);
    assert.doesNotMatch(byDigest.stderr, MISLEADING, 'no word of a missing login');
    // The CLI's own registry client (docker manifest inspect) gets the refusal as DENIED, and prints it as it comes.
    const manifest = await anonymous.run(['manifest', 'inspect', '--insecure', `${ref}:v1`]);
    assert.notEqual(manifest.code, 0);
    assert.match(manifest.stderr, new RegExp(`^denied: Airlock: acme/fresh@sha256:[0-9a-f]{12} is quarantined by Airlock: .*Quarantine id ${m[1]};`));

    const released = await e.cli(['quarantine', 'release', m[1] as string, '--reason', 'reviewed the Dockerfile']);
    assert.equal(released.code, 0, released.stderr);
    const again = await anonymous.run(['pull', `${ref}:v1`]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await inspect(anonymous, `${ref}:v1`)).id, young.configDigest);
  });

  test('an image the policy blocks: docker prints why, and nothing of it is stored', async () => {
    const r = await anonymous.run(['pull', `${e.host}/${REPO}/signed/app:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^Error response from daemon: unknown: Airlock: signed\/app@sha256:[0-9a-f]{12} is blocked by Airlock policy: .*must be signed by the key f{64} \(image_signers\), but it is not signed \[image\.signature_required\]/);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, MISLEADING);
    assert.notEqual((await anonymous.run(['image', 'inspect', `${e.host}/${REPO}/signed/app:v1`])).code, 0);
  });

  describe('docker push to the hosted repository', () => {
    const source = (): string => `${e.host}/${REPO}/library/hello:v1`;
    const target = (): string => `${e.host}/images/team/app:v1`;
    let pushed: string;
    before(async () => {
      assertDockerOk(await anonymous.run(['pull', source()]));
      assertDockerOk(await anonymous.run(['tag', source(), target()]));
    });

    test('without docker login: refused, and docker says to log in with a publisher token', async () => {
      const r = await anonymous.run(['push', target()]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unauthorized: Airlock: pushing to images needs a token with the publisher role: log in with any user name and the token as the password/);
    });

    test('docker login with a token that is not one is refused with Airlock\'s reason', async () => {
      const client = newClient();
      const r = await client.login(e.host, 'ci', 'airlock_not-a-token');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unauthorized: Airlock: invalid, expired or revoked token/);
    });

    test('logged in with a reader token: docker login succeeds, the push is denied', async () => {
      const client = newClient();
      assertDockerOk(await client.login(e.host, 'dev', reader));
      const r = await client.run(['push', target()]);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim(), 'denied: Airlock: pushing to images needs a token with the publisher role, and this one has the reader role: log in with a publisher token');
    });

    test('logged in with a publisher token: docker push, then docker pull of it back on a clean daemon', async () => {
      const client = newClient();
      const login = await client.login(e.host, 'ci', publisher);
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stdout, /Login Succeeded/);
      const r = await client.run(['push', target()]);
      assert.equal(r.code, 0, r.stderr);
      const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(r.stdout)?.[1];
      assert.ok(digest !== undefined, r.stdout);
      pushed = digest;
      const head = await fetch(`${e.airlock.url}/v2/images/team/app/manifests/v1`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
      assert.equal(head.headers.get('docker-content-digest'), pushed, 'Airlock keeps the manifest docker pushed');

      // The same layers under another name: docker mounts them from the first.
      const copy = `${e.host}/images/team/copy:v1`;
      assertDockerOk(await client.run(['tag', target(), copy]));
      const mounted = await client.run(['push', copy]);
      assert.equal(mounted.code, 0, mounted.stderr);
      assert.match(mounted.stdout, /Mounted from images\/team\/app/);

      // Nothing of the image left in the daemon: the pull fetches every layer from Airlock.
      assertDockerOk(await client.run(['rmi', '--force', hello.configDigest]));
      assert.notEqual((await client.run(['image', 'inspect', target()])).code, 0);
      const pulled = await anonymous.run(['pull', target()]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, /Pull complete/);
      const kept = await inspect(anonymous, target());
      assert.equal(kept.id, hello.configDigest);
      assert.deepEqual(kept.repoDigests, [`${e.host}/images/team/app@${pushed}`]);
    });

    test('the group serves the pushed image and the proxied one, and takes a push into publishTo', async () => {
      assert.ok(pushed !== undefined, 'the push above ran');
      const mine = await anonymous.run(['pull', `${e.host}/all/team/app:v1`]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.ok((await inspect(anonymous, `${e.host}/all/team/app:v1`)).repoDigests.includes(`${e.host}/all/team/app@${pushed}`));
      const theirs = await anonymous.run(['pull', `${e.host}/all/library/legacy:v1`]);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal((await inspect(anonymous, `${e.host}/all/library/legacy:v1`)).id, legacy.configDigest);

      const client = newClient();
      assertDockerOk(await client.login(e.host, 'ci', publisher));
      assertDockerOk(await client.run(['tag', `${e.host}/all/library/legacy:v1`, `${e.host}/all/team/legacy:v1`]));
      const r = await client.run(['push', `${e.host}/all/team/legacy:v1`]);
      assert.equal(r.code, 0, r.stderr);
      const head = await fetch(`${e.airlock.url}/v2/images/team/legacy/manifests/v1`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
      assert.equal(head.status, 200, 'the push landed in the hosted repository');
    });
  });
});

describe('docker and an Airlock whose anonymous reads are off', { skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e({ top: { access: { anonymousRead: false } } });
    await e.seed('library/hello', [{ ...hello, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('docker pull without docker login is told to log in with a reader token', async () => {
    const r = await newClient().run(['pull', `${e.host}/${REPO}/library/hello:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unauthorized: Airlock: this Airlock requires a token to read images; log in with any user name and a reader token as the password/);
    assert.equal(e.registry.requests.length, 0, 'nothing reached the upstream');
  });

  test('docker login checks the token: a wrong one is refused with the reason, a reader token pulls', async () => {
    const client = newClient();
    const wrong = await client.login(e.host, 'dev', 'airlock_not-a-token');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /unauthorized: Airlock: invalid, expired or revoked token/);
    assertDockerOk(await client.login(e.host, 'dev', await createToken(e.airlock, 'reader', 'dev')));
    const r = await client.run(['pull', `${e.host}/${REPO}/library/hello:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await inspect(client, `${e.host}/${REPO}/library/hello:v1`)).id, hello.configDigest);
  });
});

describe('docker and an Airlock with only a proxy, anonymous reads on (the default)', { skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e();
    await e.seed('library/hello', [{ ...hello, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('docker login checks the token: a wrong one is refused with the reason, not "Login Succeeded"', async () => {
    const wrong = await newClient().login(e.host, 'dev', 'airlock_not-a-token');
    assert.notEqual(wrong.code, 0, `docker login with a token that is not one: ${wrong.stdout}`);
    assert.doesNotMatch(wrong.stdout, /Login Succeeded/);
    assert.match(wrong.stderr, /unauthorized: Airlock: invalid, expired or revoked token/);
  });

  test('docker login with a reader token succeeds and pulls; without a login docker pulls anonymously', async () => {
    const client = newClient();
    const login = await client.login(e.host, 'dev', await createToken(e.airlock, 'reader', 'dev'));
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    const ref = `${e.host}/${REPO}/library/hello:v1`;
    const r = await client.run(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await inspect(client, ref)).id, hello.configDigest);
    const manifest = await client.run(['manifest', 'inspect', '--insecure', ref]);
    assert.equal(manifest.code, 0, manifest.stderr);
    assert.equal((JSON.parse(manifest.stdout) as { config: { digest: string } }).config.digest, hello.configDigest, 'the CLI\'s own registry client with the login');
    assertDockerOk(await client.run(['rmi', '--force', hello.configDigest]));
    const anonymous = newClient();
    const pulled = await anonymous.run(['pull', ref]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal((await inspect(anonymous, ref)).id, hello.configDigest);
  });
});
