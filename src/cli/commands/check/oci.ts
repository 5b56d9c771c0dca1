/**
 * `airlock check oci REPO/IMAGE[:TAG|@sha256:…]…`: the pre-flight for container images, written
 * as in a pull reference without the host (`hub/library/alpine:3.20` for
 * `localhost:8080/hub/library/alpine:3.20`): the first component is the Airlock repository, the
 * rest the image in it. Each image is checked in its repository (one call per repository); the
 * results come back in the order given. The server checks names, tags and digests.
 */
import type { AdminClient } from '../../../api/client.ts';
import { makePurl } from '../../../core/index.ts';
import { UsageError } from '../../command.ts';
import type { Result } from './render.ts';

const MAX_SPEC = 512;

export interface OciSpec {
  readonly repo: string;
  readonly purl: string;
}

/** A registry host (`localhost:8080`, `airlock.example.com`) as the first component of a reference, as docker tells one apart. */
function isHost(component: string): boolean {
  return component === 'localhost' || component.includes('.') || component.includes(':');
}

/** `REPO/IMAGE[:TAG|@DIGEST]` (a leading registry host is dropped) as the repository and the image's purl. */
export function ociSpec(spec: string): OciSpec {
  if (spec.length > MAX_SPEC) throw new UsageError(`an image reference is at most ${MAX_SPEC} characters`);
  let parts = spec.split('/');
  if (parts.length > 2 && isHost(parts[0] as string)) parts = parts.slice(1);
  const [repo, ...rest] = parts;
  if (repo === undefined || repo === '' || rest.length === 0 || rest.some((p) => p === '')) {
    throw new UsageError(`${JSON.stringify(spec.slice(0, 80))}: give the repository and the image, as in the pull reference HOST/REPO/IMAGE: REPO/IMAGE[:TAG|@sha256:…]`);
  }
  const path = rest.join('/');
  const at = path.indexOf('@');
  if (at !== -1) {
    const digest = path.slice(at + 1);
    if (!/^[a-z0-9]+:[A-Za-z0-9=_-]+$/.test(digest)) throw new UsageError(`${JSON.stringify(spec.slice(0, 80))}: after @ comes a manifest digest (sha256:<64 hex digits>)`);
    return { repo, purl: makePurl('oci', path.slice(0, at), digest) };
  }
  const colon = path.lastIndexOf(':');
  const name = colon === -1 ? path : path.slice(0, colon);
  const tag = colon === -1 ? null : path.slice(colon + 1);
  if (name === '' || tag === '') throw new UsageError(`${JSON.stringify(spec.slice(0, 80))}: not an image reference (REPO/IMAGE[:TAG|@sha256:…])`);
  const purl = makePurl('oci', name, null);
  return { repo, purl: tag === null ? purl : `${purl}?tag=${encodeURIComponent(tag)}` };
}

/** Every image checked in its repository, one call per repository; the results in the order given. */
export async function checkImages(c: AdminClient, specs: readonly OciSpec[]): Promise<Result[]> {
  const out: Result[] = new Array<Result>(specs.length);
  const byRepo = new Map<string, number[]>();
  specs.forEach((s, i) => byRepo.set(s.repo, [...(byRepo.get(s.repo) ?? []), i]));
  for (const [repo, at] of byRepo) {
    const results: Result[] = at.length === 1 ? [await c.check(specs[at[0] as number]?.purl as string, repo)] : (await c.checkMany(at.map((i) => specs[i]?.purl as string), repo)).results;
    at.forEach((i, k) => {
      out[i] = results[k] as Result;
    });
  }
  return out;
}
