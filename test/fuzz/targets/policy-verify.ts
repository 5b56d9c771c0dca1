/**
 * Fuzz targets of the policy and verification parsers: Rego modules (the shipped policies and
 * their tests), policy data files (JSON and YAML), Sigstore bundles with their DSSE in-toto
 * statements and RFC 3161 timestamps, OpenSSF model signatures, and TUF metadata (the Sigstore
 * trust root's update path). Each refuses bad input with its own error (RegoError, AirlockError
 * POLICY_ERROR, SigstoreError, TufError) or, for model.sig, a problem in the result.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parseModule, RegoError } from '../../../src/rego/index.ts';
import { parseDataFile } from '../../../src/policy/bundle-loader.ts';
import { canonicalForm } from '../../../src/policy/bundle-hash.ts';
import { AirlockError } from '../../../src/core/errors.ts';
import { parseBundle } from '../../../src/verify/sigstore/bundle.ts';
import { parseInTotoStatement } from '../../../src/verify/sigstore/in-toto.ts';
import { parseTimestamp } from '../../../src/verify/sigstore/timestamp.ts';
import { SigstoreError } from '../../../src/verify/sigstore/fields.ts';
import { CONFORMANCE, SIGSTORE_JS, sigstoreJsBundles } from '../../../src/verify/sigstore/test-support.ts';
import { parseModelSignature } from '../../../src/verify/model-signing/envelope.ts';
import { MODEL_SIGNING_LIMITS } from '../../../src/verify/model-signing/types.ts';
import { signModelFiles } from '../../../src/verify/model-signing/test-support.ts';
import { TufClient, TufError, type TufStore } from '../../../src/verify/tuf/index.ts';
import { parseMetadata, thresholdProblem, type Root, type RoleName } from '../../../src/verify/tuf/metadata.ts';
import { TestTufRepo } from '../../support/tuf-repo.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const POLICIES = join(import.meta.dirname, '../../../policies/airlock');

const rego: FuzzTarget = {
  seeds: () =>
    readdirSync(POLICIES)
      .filter((n) => n.endsWith('.rego'))
      .sort()
      .map((n) => new Uint8Array(readFileSync(join(POLICIES, n)))),
  text: true,
  extra: () => [
    text(`package p\nx := ${nested('[', ']', 100_000)}`),
    text(`package p\nx := ${nested('(', ')', 100_000, '1')}`),
    text(`package p\nx := ${'-'.repeat(100_000)}1`),
    text(`package p\nx := ${'not '.repeat(50_000)}true`),
    text(`package p\nx if { ${nested('{', '}', 100_000)} }`),
    text(`package p\nx := 1${' + 1'.repeat(100_000)}`),
    text(`package p\nx := a${'.b'.repeat(100_000)}`),
  ],
  run: (input) => {
    parseModule('fuzz.rego', asText(input));
    return undefined;
  },
  accepts: ownError(RegoError),
};

const YAML = `thresholds:
  min_age_days: 3
  max_size: 1.5e+9
  ratios: [0.25, -1, 0x10]
allow:
  - name: left-pad
    versions: ["1.0.0", '2.*']
  - &anchor {name: lodash, note: "a \\u00e9 string"}
  - *anchor
blocked: |
  multi
  line
empty: ~
flag: true
`;

const data = (name: string): FuzzTarget => ({
  seeds: () => (name.endsWith('.json') ? [new Uint8Array(readFileSync(join(POLICIES, 'data.json')))] : [text(YAML)]),
  text: true,
  // The last extras: an anchor whose value holds its own alias, which the reader returns as a cycle.
  extra: () => [text(nested('[', ']', 100_000)), text(nested('{"a":', '}', 100_000, '1')), text(`a: ${nested('[', ']', 100_000)}`), text(`${'- '.repeat(50_000)}x`), text('a: &x [*x]\n'), text('&x {a: {b: *x}}\n')],
  run: (input) => {
    // A signed bundle's files are hashed (canonical form) before they are loaded.
    const t = asText(input);
    canonicalForm(name, Buffer.from(t));
    parseDataFile(name, t);
    return undefined;
  },
  accepts: ownError(AirlockError),
});

/** Fuzzes the JSON text; text that is no longer JSON is not the parser's concern. */
function parsedJson(input: Uint8Array): unknown {
  try {
    return JSON.parse(asText(input));
  } catch {
    return undefined;
  }
}

/** sigstore-js's bundles, and conformance bundles with RFC 3161 timestamps and Rekor v2 entries. */
const bundles = (): Uint8Array[] => [
  ...sigstoreJsBundles().map((n) => join(SIGSTORE_JS, n)),
  join(CONFORMANCE, 'bundle-verify/intoto-with-custom-trust-root/bundle.sigstore.json'),
  join(CONFORMANCE, 'bundle-verify/rekor2-dsse-happy-path/bundle.sigstore.json'),
].map((path) => new Uint8Array(readFileSync(path)));

const bundle: FuzzTarget = {
  seeds: bundles,
  text: true,
  run: (input) => {
    const json = parsedJson(input);
    if (json === undefined) return undefined;
    const b = parseBundle(json);
    if (b.content.kind === 'dsse') parseInTotoStatement(b.content.payloadType, b.content.payload);
    for (const stamp of b.timestamps) parseTimestamp(Buffer.from(stamp));
    return undefined;
  },
  accepts: ownError(SigstoreError),
};

/** The DSSE statements and RFC 3161 timestamps of the bundles, corrupted as bytes. */
const statement: FuzzTarget = {
  seeds: () =>
    bundles().flatMap((b) => {
      const parsed = parseBundle(JSON.parse(asText(b)));
      return parsed.content.kind === 'dsse' ? [new Uint8Array(parsed.content.payload)] : [];
    }),
  text: true,
  run: (input) => {
    parseInTotoStatement('application/vnd.in-toto+json', input);
    return undefined;
  },
  accepts: ownError(SigstoreError),
};

const timestamp: FuzzTarget = {
  seeds: () => bundles().flatMap((b) => parseBundle(JSON.parse(asText(b))).timestamps.map((t) => new Uint8Array(t))),
  run: (input) => {
    parseTimestamp(Buffer.from(input));
    return undefined;
  },
  accepts: ownError(SigstoreError),
};

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const modelSig: FuzzTarget = {
  seeds: () => [
    new Uint8Array(
      signModelFiles(
        [
          { path: 'model.safetensors', bytes: Buffer.from('weights') },
          { path: 'config.json', bytes: Buffer.from('{}') },
        ],
        privateKey,
      ),
    ),
  ],
  text: true,
  extra: () => [text(nested('{"a":', '}', 100_000, '1'))],
  run: (input) => {
    const r = parseModelSignature(input, MODEL_SIGNING_LIMITS);
    if (!r.ok && r.problem === undefined) return 'refused without a problem';
    return undefined;
  },
  accepts: () => false,
};

/** A repository in the real format, a root rotation and a target into it: every role's file is a seed. */
const tufRepo = new TestTufRepo();
tufRepo.publish('trusted_root.json', Buffer.from('{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}'));
tufRepo.rotate();
const SIGSTORE_ROOT = 'sigstore-tuf-root.json';
const TUF_ROLE: Readonly<Record<string, RoleName>> = { '1.root.json': 'root', '2.root.json': 'root', [SIGSTORE_ROOT]: 'root', 'timestamp.json': 'timestamp', '2.snapshot.json': 'snapshot', '2.targets.json': 'targets' };
const trustedRoot = parseMetadata<Root>(tufRepo.file('2.root.json'), 'root', '2.root.json').signed;

class MemoryStore implements TufStore {
  readonly files = new Map<string, Buffer>();
  read = async (name: string): Promise<Buffer | null> => this.files.get(name) ?? null;
  write = async (name: string, bytes: Buffer): Promise<void> => void this.files.set(name, bytes);
  remove = async (name: string): Promise<void> => void this.files.delete(name);
}

/**
 * A file of the repository (its path on the first line, then its bytes), corrupted: parsed as its
 * role and checked against the trusted root, then served in place of the real file to a client
 * updating from the first root (the Sigstore root shipped with Airlock is its initial root).
 */
const tuf: FuzzTarget = {
  seeds: () =>
    Object.keys(TUF_ROLE).map((path) => {
      const bytes = path === SIGSTORE_ROOT ? readFileSync(join(import.meta.dirname, '../../../src/verify/tuf', SIGSTORE_ROOT)) : tufRepo.file(path);
      return new Uint8Array(Buffer.concat([Buffer.from(`${path}\n`), bytes]));
    }),
  text: true,
  extra: () => [text(`timestamp.json\n{"signatures":[],"signed":${nested('{"a":', '}', 100_000, '1')}}`), text(`2.root.json\n{"signatures":${nested('[', ']', 100_000)},"signed":{}}`)],
  run: async (input) => {
    const b = Buffer.from(input);
    const eol = b.indexOf(0x0a);
    const path = b.subarray(0, Math.max(0, eol)).toString('latin1');
    const bytes = b.subarray(eol + 1);
    const env = parseMetadata(bytes, TUF_ROLE[path] ?? 'root', path);
    thresholdProblem(env, trustedRoot, TUF_ROLE[path] ?? 'root', path);
    const files = new Map(tufRepo.files).set(path, bytes);
    const download = async (file: string, maxBytes: number): Promise<Buffer | null> => {
      const f = files.get(file);
      if (f !== undefined && f.length > maxBytes) throw new TufError(`${file} is larger than ${maxBytes} bytes`);
      return f ?? null;
    };
    const initialRoot = path === SIGSTORE_ROOT || path === '1.root.json' ? bytes : tufRepo.initialRoot;
    await new TufClient({ download, store: new MemoryStore(), initialRoot }).refresh();
    return undefined;
  },
  accepts: ownError(TufError),
};

export const targets: Record<string, FuzzTarget> = {
  tuf,
  rego,
  'policy-data-json': data('airlock/data.json'),
  'policy-data-yaml': data('airlock/data.yaml'),
  'sigstore-bundle': bundle,
  'in-toto-statement': statement,
  'rfc3161-timestamp': timestamp,
  'model-signature': modelSig,
};
