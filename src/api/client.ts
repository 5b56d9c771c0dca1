/**
 * A typed client for the admin API (used by the CLI; usable by scripts and tests). Errors carry
 * the server's `{error, code}` and the HTTP status. Answers are read before their types are
 * trusted (answers.ts, and the check answers here): a malformed one is an ApiError BAD_RESPONSE
 * naming the route and what is wrong with it.
 */
import type { ImpactReport } from '../gate/policy-impact.ts';
import type { ChangeReport, FileDiff } from '../gate/version-changes.ts';
import type { PolicyModuleSource } from '../policy/bundle-loader.ts';
import type { AuditEvent, DecisionRecord, Page, QuarantineRecord, QuarantineState } from '../storage/ports/index.ts';
import type { CreatedToken, ScopeRequest, TokenView } from './auth/token-service.ts';
import type { ExchangedToken } from './auth/oidc/index.ts';
import type { RepositoryInfo } from './routes/repository-routes.ts';
import type { WebhookStatus } from '../webhooks/index.ts';
import type { ExposureReport } from '../gate/exposure.ts';
import { auditPage, changeReport, checkAnswer, checkResult, createdToken, decisionPage, exchangedToken, exposureReport, fileDiff, impactReport, missingNameList, pypiChange } from './answers.ts';
import { quarantinePage, quarantineRecord, repositoryList, tokenPage, webhookList, webhookReplay, webhookSkip, webhookTest, WrongAnswer, type Reader } from './answers.ts';
import { failureText, tlsFetch, type ClientTls, type FetchLike } from './client-tls.ts';
import { AirlockError } from '../core/index.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function badAnswer(route: string, what: string): ApiError {
  return new ApiError(200, 'BAD_RESPONSE', `the server answered ${route} ${what}`);
}

/** The server could not be reached at all. */
export class ApiUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiUnreachableError';
  }
}

type JsonObject = Record<string, unknown>;

/** A package of a batch check: a purl, or a purl without a version and a range (npm `^4.17.0`, PyPI `>=2,<3`). */
export type CheckItem = string | { readonly purl: string; readonly range: string };

/** What a change to a hosted pypi release, file or project answers (`ReleaseChange` of the pypi plugin). */
export interface PypiReleaseChange {
  readonly name: string;
  readonly target: 'release' | 'file' | 'project';
  /** Null for the whole project. */
  readonly version: string | null;
  readonly versions: readonly string[];
  readonly action: 'yank' | 'unyank' | 'remove';
  readonly files: readonly string[];
  readonly yanked: string | boolean | null;
  readonly changed: boolean;
}

/**
 * One path segment of a URL, encoded. `.`, `..` and nothing cannot be one: URL resolution removes
 * them, `%2E%2E` too, with the segment before them (`quarantine/..` is the API's root,
 * `projects/P/files/..` the project), so the request would go to another route than meant.
 */
export function segment(value: string): string {
  if (value === '' || value === '.' || value === '..') throw new AirlockError('BAD_REQUEST', `${JSON.stringify(value)} cannot be sent as a name or id in a URL`);
  return encodeURIComponent(value);
}

export class AdminClient {
  readonly #base: URL;
  readonly #token: string | null;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;

  /** `tls`: the authorities to trust and a client certificate for an https:// server (see client-tls.ts). */
  constructor(server: string, token: string | null, options: { timeoutMs?: number; tls?: ClientTls } = {}) {
    let base: URL;
    try {
      base = new URL(server.endsWith('/') ? server : `${server}/`);
    } catch {
      throw new ApiUnreachableError(`not a server URL: ${JSON.stringify(server)}`);
    }
    this.#base = base;
    this.#token = token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.tls === undefined ? (url, init) => fetch(url, { ...init, redirect: 'error' }) : tlsFetch(options.tls);
  }

  async #call(method: string, path: string, body?: unknown, timeoutMs = this.#timeoutMs): Promise<unknown> {
    return this.#send(method, new URL(`-/api/${path}`, this.#base), body, timeoutMs);
  }

  /** The answer of an admin API route (`path` under /-/api/), read by `read` (answers.ts): a BAD_RESPONSE ApiError naming the route and what is wrong. */
  async #read<T>(read: Reader<T>, method: string, path: string, body?: unknown, timeoutMs = this.#timeoutMs): Promise<T> {
    return this.#readAt(read, method, new URL(`-/api/${path}`, this.#base), body, timeoutMs);
  }

  async #readAt<T>(read: Reader<T>, method: string, url: URL, body?: unknown, timeoutMs = this.#timeoutMs): Promise<T> {
    const answer = await this.#send(method, url, body, timeoutMs);
    try {
      return read(answer, '');
    } catch (err) {
      if (err instanceof WrongAnswer) throw badAnswer(`${method} ${url.pathname}`, err.message);
      throw err;
    }
  }

  /** A request to `url` (the admin API's, or a repository's), its JSON answer; an error's message from its JSON `error` or its plain-text body. */
  async #send(method: string, url: URL, body: unknown, timeoutMs: number): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== null) headers['authorization'] = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = failureText(err);
      throw new ApiUnreachableError(`cannot reach Airlock at ${this.#base.origin}${cause}`, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // A repository's routes answer errors in their clients' dialect: plain text (pip and twine's).
        if (!res.ok && (res.headers.get('content-type') ?? '').startsWith('text/plain')) throw new ApiError(res.status, 'HTTP_ERROR', text.trim().slice(0, 2000));
        throw new ApiError(res.status, 'BAD_RESPONSE', `${res.status} from ${url.pathname}: not JSON`);
      }
    }
    if (!res.ok) {
      const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as JsonObject;
      const msg = typeof o['error'] === 'string' ? o['error'] : `HTTP ${res.status}`;
      throw new ApiError(res.status, typeof o['code'] === 'string' ? o['code'] : 'HTTP_ERROR', msg);
    }
    return parsed;
  }

  async listQuarantine(filter: { state?: QuarantineState; purl?: string; limit?: number; cursor?: string } = {}): Promise<Page<QuarantineRecord>> {
    const q = new URLSearchParams();
    if (filter.state !== undefined) q.set('state', filter.state);
    if (filter.purl !== undefined) q.set('purl', filter.purl);
    if (filter.limit !== undefined) q.set('limit', String(filter.limit));
    if (filter.cursor !== undefined) q.set('cursor', filter.cursor);
    return this.#read(quarantinePage, 'GET', `quarantine?${q}`);
  }

  async getQuarantine(id: string): Promise<QuarantineRecord> {
    return this.#read(quarantineRecord, 'GET', `quarantine/${segment(id)}`);
  }

  /** What the quarantined version changed since the package's version before it. */
  async changes(id: string): Promise<ChangeReport> {
    return this.#read(changeReport, 'GET', `quarantine/${segment(id)}/changes`);
  }

  /** One file's line diff against the version before (`path` as `changes` lists it). */
  async diff(id: string, path: string): Promise<FileDiff> {
    return this.#read(fileDiff, 'GET', `quarantine/${segment(id)}/changes/diff?${new URLSearchParams({ path })}`);
  }

  async release(id: string, reason: string, expires: string | null): Promise<QuarantineRecord> {
    const body = expires === null ? { reason } : { reason, expires };
    return this.#read(quarantineRecord, 'POST', `quarantine/${segment(id)}/release`, body);
  }

  async reject(id: string, reason: string): Promise<QuarantineRecord> {
    return this.#read(quarantineRecord, 'POST', `quarantine/${segment(id)}/reject`, { reason });
  }

  async decisions(purl: string, limit = 50): Promise<Page<DecisionRecord>> {
    return this.#read(decisionPage, 'GET', `decisions?${new URLSearchParams({ purl, limit: String(limit) })}`);
  }

  /** The pre-flight check of one package (purl; without a version: latest; an image: `pkg:oci/NAME@DIGEST` or `pkg:oci/NAME?tag=TAG`; with `range`, a purl without a version). */
  async check(purl: string, repo: string | null = null, range: string | null = null): Promise<Record<string, unknown>> {
    const q = new URLSearchParams({ purl });
    if (range !== null) q.set('range', range);
    if (repo !== null) q.set('repo', repo);
    return this.#read(checkResult, 'GET', `check?${q}`);
  }

  /** The pre-flight check of many packages in one call: each a purl, or a purl without a version and a range; one result per package, in order. */
  async checkMany(purls: readonly CheckItem[], repo: string | null = null): Promise<{ summary: Record<string, number>; results: Record<string, unknown>[] }> {
    const body = repo === null ? { packages: purls } : { packages: purls, repo };
    return this.#read(checkAnswer(purls.length), 'POST', 'check', body);
  }

  /**
   * What a candidate policy would change: the server replays its recorded decisions under its
   * active policy and the candidate (a replay may take up to a minute on the server).
   */
  async policyImpact(body: { modules: readonly PolicyModuleSource[]; data: Record<string, unknown>; since?: string; limit?: number }): Promise<ImpactReport> {
    return this.#read(impactReport, 'POST', 'policy/impact', body, Math.max(this.#timeoutMs, 90_000));
  }

  /** The repositories the server serves: name, format, path and upstream. */
  async repositories(): Promise<RepositoryInfo[]> {
    return (await this.#read(repositoryList, 'GET', 'repositories')).items;
  }

  /** The server's base URL. */
  get server(): URL {
    return new URL(this.#base);
  }

  /** Names requested while missing upstream, most requested first. */
  async missingNames(limit = 100): Promise<Record<string, unknown>[]> {
    return (await this.#read(missingNameList, 'GET', `signals/missing?limit=${limit}`)).items;
  }

  /** The versions held that imported vulnerability advisories include, worst first. */
  async vulnerabilities(query: { readonly [key in 'severity' | 'ecosystem' | 'name' | 'limit']?: string | number | undefined }): Promise<ExposureReport> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    return this.#read(exposureReport, 'GET', `vulnerabilities?${params.toString()}`);
  }

  async audit(after: number, limit: number): Promise<{ items: AuditEvent[]; next: number | null }> {
    return this.#read(auditPage, 'GET', `audit?after=${after}&limit=${limit}`);
  }

  /**
   * A period of the audit trail as a segment (`GET /-/api/audit/export`): its bytes as they
   * arrive. Headers must come within the client's time-out; then each chunk within it of the
   * last, however long the whole takes.
   */
  async auditExport(range: { readonly since?: string; readonly until?: string; readonly after?: number; readonly through?: number }): Promise<AsyncIterable<Uint8Array>> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(range)) if (v !== undefined) q.set(k, String(v));
    return this.#stream(new URL(`-/api/audit/export?${q}`, this.#base));
  }

  /** Every file the server holds as a CycloneDX SBOM (`GET /-/api/inventory`): its bytes as they arrive. */
  async inventory(query: { readonly repo?: string; readonly usedSince?: string }): Promise<AsyncIterable<Uint8Array>> {
    const q = new URLSearchParams({ format: 'cyclonedx' });
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    return this.#stream(new URL(`-/api/inventory?${q}`, this.#base));
  }

  async #stream(url: URL): Promise<AsyncIterable<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'application/x-ndjson, application/vnd.cyclonedx+json, application/json' };
    if (this.#token !== null) headers['authorization'] = `Bearer ${this.#token}`;
    const abort = new AbortController();
    let timer = setTimeout(() => abort.abort(new Error(`no answer from ${url.pathname} within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(url, { method: 'GET', headers, signal: abort.signal });
    } catch (err) {
      clearTimeout(timer);
      const cause = failureText(err);
      throw new ApiUnreachableError(`cannot reach Airlock at ${this.#base.origin}${cause}`, { cause: err });
    }
    if (!res.ok || res.body === null) {
      clearTimeout(timer);
      const text = await res.text().catch(() => '');
      let o: JsonObject = {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null) o = parsed as JsonObject;
      } catch {
        // not JSON: the status says it
      }
      throw new ApiError(res.status, typeof o['code'] === 'string' ? o['code'] : 'HTTP_ERROR', typeof o['error'] === 'string' ? o['error'] : `HTTP ${res.status} from ${url.pathname}`);
    }
    const body = res.body;
    const timeoutMs = this.#timeoutMs;
    return {
      async *[Symbol.asyncIterator]() {
        const reader = body.getReader();
        try {
          for (;;) {
            clearTimeout(timer);
            timer = setTimeout(() => abort.abort(new Error(`${url.pathname} sent nothing for ${timeoutMs} ms`)), timeoutMs);
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          clearTimeout(timer);
          reader.releaseLock();
          if (!abort.signal.aborted) abort.abort();
        }
      },
    };
  }

  async createToken(role: string, label: string, expires: string | null, scope: ScopeRequest | null = null): Promise<CreatedToken> {
    const body: JsonObject = { role, label };
    if (expires !== null) body['expires'] = expires;
    if (scope !== null) body['scope'] = { ...(scope.repos === undefined ? {} : { repos: [...scope.repos] }), ...(scope.packages === undefined ? {} : { packages: [...scope.packages] }) };
    return this.#read(createdToken, 'POST', 'tokens', body);
  }

  /** A CI job's OIDC ID token exchanged for a short-lived token (`POST /-/api/oidc/token`; make this client without a token). */
  async exchangeOidcToken(idToken: string): Promise<ExchangedToken> {
    return this.#read(exchangedToken, 'POST', 'oidc/token', { token: idToken });
  }

  /** One page of tokens, newest first (`cursor`: the previous page's `nextCursor`). */
  async listTokens(page: { limit?: number; cursor?: string } = {}): Promise<Page<TokenView>> {
    const q = new URLSearchParams();
    if (page.limit !== undefined) q.set('limit', String(page.limit));
    if (page.cursor !== undefined) q.set('cursor', page.cursor);
    return this.#read(tokenPage, 'GET', `tokens?${q}`);
  }

  async revokeToken(id: string): Promise<void> {
    await this.#call('DELETE', `tokens/${segment(id)}`);
  }

  /**
   * Yanks (with `reason`, empty for none), unyanks or removes a release of a hosted pypi
   * repository's project: at the repository's URL (`<repo>/-/projects/<project>/<version>`), the
   * token a publisher's (for a removal, what the repository's `unpublish` names).
   */
  async changePypiRelease(repo: string, project: string, version: string, action: 'yank' | 'unyank' | 'remove', reason = ''): Promise<PypiReleaseChange> {
    const at = `${segment(repo)}/-/projects/${segment(project)}/${segment(version)}`;
    if (action === 'remove') return this.#readAt(pypiChange, 'DELETE', new URL(at, this.#base));
    return this.#readAt(pypiChange, 'POST', new URL(`${at}/${action}`, this.#base), action === 'yank' ? { reason } : undefined);
  }

  /** Yanks, unyanks or removes every release of a hosted pypi project at once (`<repo>/-/projects/<project>`); `reason` goes to the page (a yank) or the audit trail (a removal). */
  async changePypiProject(repo: string, project: string, action: 'yank' | 'unyank' | 'remove', reason = ''): Promise<PypiReleaseChange> {
    const at = `${segment(repo)}/-/projects/${segment(project)}`;
    const body = action === 'unyank' ? undefined : { reason };
    if (action === 'remove') return this.#readAt(pypiChange, 'DELETE', new URL(at, this.#base), body);
    return this.#readAt(pypiChange, 'POST', new URL(`${at}/${action}`, this.#base), body);
  }

  /** Removes one file of a hosted pypi project's release (`<repo>/-/projects/<project>/files/<filename>`). */
  async removePypiFile(repo: string, project: string, filename: string): Promise<PypiReleaseChange> {
    const at = `${segment(repo)}/-/projects/${segment(project)}/files/${segment(filename)}`;
    return this.#readAt(pypiChange, 'DELETE', new URL(at, this.#base));
  }

  /** Where each configured webhook's delivery stands. */
  async webhooks(): Promise<WebhookStatus[]> {
    return (await this.#read(webhookList, 'GET', 'webhooks')).items;
  }

  async testWebhook(name: string): Promise<{ delivered: boolean; status: number | null; error?: string }> {
    return this.#read(webhookTest, 'POST', `webhooks/${segment(name)}/test`, {});
  }

  async skipWebhook(name: string, reason: string): Promise<{ name: string; skipped: number }> {
    return this.#read(webhookSkip, 'POST', `webhooks/${segment(name)}/skip`, { reason });
  }

  async replayWebhook(name: string, fromSeq: number, reason: string): Promise<{ name: string; seq: number }> {
    return this.#read(webhookReplay, 'POST', `webhooks/${segment(name)}/replay`, { fromSeq, reason });
  }
}
