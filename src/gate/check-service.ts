/**
 * The pre-flight check: what the gate would decide about a package version right now, with
 * every fact the policy saw and the rules that decided — for agents and CI before they install
 * (`airlock check`, `GET/POST /-/api/check`). Metadata phase (no download: content facts such as
 * the tarball's own install scripts are judged when the artifact is fetched), or, where a source
 * resolves references (OCI images, Hugging Face commits), what that source judges as a pull or a
 * download would be judged. Nothing is cached, recorded or opened; a name the upstream does not
 * have is recorded in the missing-name ledger, as a client's request would be.
 */
import { AirlockError, isAirlockError, type Ecosystem } from '../core/index.ts';
import type { RequestContext } from '../storage/ports/index.ts';
import type { Explained } from './gate-service.ts';
import type { PackageListing, PackageSource, PackageSources, ReferenceCheck } from './package-sources.ts';
import type { ArtifactHistory, VersionCandidate } from './types.ts';
import { checkRange } from './check-range.ts';
import { baseResult, judgedResult, rangeResult, referenceResult, type CheckResult } from './check-result.ts';
import { parseVersionRange } from './version-range.ts';

export interface CheckTarget {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  /** null: the version the upstream calls the latest (npm's `latest` dist-tag; PyPI's newest final release; an image's `latest` tag; a Hub repo's default branch). An image's tag or digest; a Hub repo's branch, tag or commit. */
  readonly version: string | null;
  /**
   * A version range (npm `^4.17.0`; PyPI `>=2,<3`), instead of a version (then `version` is
   * null): what an install of it gets through Airlock is judged (version-range.ts reads it).
   */
  readonly range?: string | null;
  /** null: the first repository of the ecosystem. */
  readonly repo: string | null;
}


export interface Explainer {
  explain(candidates: readonly VersionCandidate[], history: readonly VersionCandidate[]): Promise<readonly Explained[]>;
  /** The artifact phase's verdict on one artifact now, recording nothing (`GateService.explainArtifact`). */
  explainArtifact(candidate: VersionCandidate, request: RequestContext, history?: ArtifactHistory): Promise<Explained>;
}

export interface CheckOptions {
  /** Targets per call. */
  readonly maxTargets: number;
  /** Packages looked up at once. */
  readonly concurrency: number;
}

export const CHECK_DEFAULTS: CheckOptions = Object.freeze({ maxTargets: 5000, concurrency: 8 });


export class CheckService {
  readonly #sources: PackageSources;
  readonly #gate: Explainer;
  readonly #clock: () => Date;
  readonly #options: CheckOptions;

  constructor(deps: { sources: PackageSources; gate: Explainer; clock?: () => Date }, options: Partial<CheckOptions> = {}) {
    this.#sources = deps.sources;
    this.#gate = deps.gate;
    this.#clock = deps.clock ?? (() => new Date());
    this.#options = Object.freeze({ ...CHECK_DEFAULTS, ...options });
  }

  async check(target: CheckTarget, request: RequestContext): Promise<CheckResult> {
    const [r] = await this.checkMany([target], request);
    return r as CheckResult;
  }

  /** Many targets at once (a lockfile): each package is looked up and judged once. Results in input order. */
  async checkMany(targets: readonly CheckTarget[], request: RequestContext): Promise<CheckResult[]> {
    if (targets.length > this.#options.maxTargets) throw new AirlockError('LIMIT_EXCEEDED', `at most ${this.#options.maxTargets} packages per check`);
    const groups = new Map<string, { readonly repo: string; readonly name: string; readonly items: { readonly i: number; readonly t: CheckTarget }[]; readonly source: ReturnType<PackageSources['find']> }>();
    const out: (CheckResult | undefined)[] = new Array(targets.length);
    targets.forEach((t, i) => {
      try {
        const source = this.#sources.find(t.ecosystem, t.repo);
        const name = source.canonicalName(t.name);
        if (t.range !== undefined && t.range !== null) parseVersionRange(t.ecosystem, t.range);
        const key = `${source.repo}\0${name}`;
        const g = groups.get(key);
        if (g === undefined) groups.set(key, { repo: source.repo, name, items: [{ i, t: { ...t, name } }], source });
        else g.items.push({ i, t: { ...t, name } });
      } catch (err) {
        if (!isAirlockError(err)) throw err;
        if (err.code === 'INVALID_NAME' || err.code === 'INVALID_VERSION' || err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST') throw err;
        out[i] = { ...baseResult(t, t.repo, this.#clock()), status: 'error', message: err.message };
      }
    });
    const queue = [...groups.values()];
    const worker = async (): Promise<void> => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        const results = await this.#checkPackage(g.source, g.repo, g.name, g.items.map((x) => x.t), request);
        g.items.forEach((x, k) => {
          out[x.i] = results[k];
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency, queue.length) }, worker));
    return out as CheckResult[];
  }

  async #checkPackage(
    source: ReturnType<PackageSources['find']>,
    repo: string,
    name: string,
    targets: readonly CheckTarget[],
    request: RequestContext,
  ): Promise<CheckResult[]> {
    if (source.checkReference !== undefined) {
      const out: CheckResult[] = [];
      for (const t of targets) out.push(await this.#checkReference(source, repo, name, t, request));
      return out;
    }
    let listing: PackageListing;
    try {
      if (source.listing === undefined) throw new AirlockError('BAD_REQUEST', `repository ${repo} can be checked by neither listing nor reference`);
      listing = await source.listing(name, request);
    } catch (err) {
      const now = this.#clock();
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) {
        return targets.map((t) => ({ ...baseResult(t, repo, now), status: 'package-not-found', message: `${name} does not exist upstream (the request was recorded)` }));
      }
      const message = isAirlockError(err) ? err.message : 'the package could not be looked up';
      return targets.map((t) => ({ ...baseResult(t, repo, now), status: 'error', message }));
    }
    const byVersion = new Map(listing.candidates.map((c) => [c.subject.version, c]));
    const wanted: VersionCandidate[] = [];
    const plan = targets.map((t) => {
      if (t.range !== undefined && t.range !== null) return { t, version: null, c: undefined };
      const version = t.version === null ? listing.latest : (listing.versionNamed?.(t.version) ?? t.version);
      const c = version === null ? undefined : byVersion.get(version);
      if (c !== undefined && !wanted.includes(c)) wanted.push(c);
      return { t, version, c };
    });
    const explained = wanted.length === 0 ? [] : await this.#gate.explain(wanted, listing.candidates);
    const byCandidate = new Map(explained.map((e) => [e.candidate.subject.version, e]));
    const now = this.#clock();
    return Promise.all(plan.map(async ({ t, version, c }) => {
      if (t.range !== undefined && t.range !== null) return this.#checkRange(t, t.range, repo, name, listing);
      if (version === null) return { ...baseResult(t, repo, now), status: 'version-not-found', message: `${name} has no latest version` };
      const why = listing.unusable.get(version);
      if (why !== undefined) return { ...baseResult(t, repo, now), version, status: 'unusable', message: `${name}@${version} is never served: ${why}` };
      const e = c === undefined ? undefined : byCandidate.get(version);
      if (e === undefined) return { ...baseResult(t, repo, now), version, status: 'version-not-found', message: `${name} has no version ${version}` };
      return judgedResult(t, repo, e, t.version === null ? listing.servedLatest : null, listing.distributions?.(version) ?? null);
    }));
  }

  /** A range: the version an install of it gets through Airlock, judged (check-range.ts). */
  async #checkRange(t: CheckTarget, text: string, repo: string, name: string, listing: PackageListing): Promise<CheckResult> {
    const r = await checkRange(parseVersionRange(t.ecosystem, text), listing, this.#gate);
    if (r.status === 'none') {
      return { ...baseResult(t, repo, this.#clock()), status: 'version-not-found', message: `none of the ${r.listed} versions of ${name} Airlock can serve satisfies ${text}` };
    }
    return rangeResult(t, repo, text, r, (version) => listing.distributions?.(version) ?? null);
  }

  /** One reference of a source that resolves references: judged by the source, through the gate's explainer. */
  async #checkReference(source: PackageSource, repo: string, name: string, t: CheckTarget, request: RequestContext): Promise<CheckResult> {
    let r: ReferenceCheck;
    try {
      r = await (source.checkReference as NonNullable<PackageSource['checkReference']>)(name, t.version, this.#gate, request);
    } catch (err) {
      const message = isAirlockError(err) ? err.message : 'the reference could not be looked up';
      return { ...baseResult(t, repo, this.#clock()), status: 'error', message };
    }
    if (r.status !== 'judged') return { ...baseResult(t, repo, this.#clock()), status: r.status, message: r.message };
    return referenceResult(t, repo, r);
  }
}
