/**
 * `airlock check huggingface ORG/NAME[@REVISION]… [--type model|dataset]`: the pre-flight for Hub
 * models and datasets, written as the clients name them (`acme/tiny`, `gpt2`; a dataset as
 * `datasets/acme/corpus` or with `--type dataset`), the revision after `@` (a branch, a tag or a
 * commit; none: the default branch). Each becomes a `pkg:huggingface/…` purl whose version is the
 * revision; the server checks names and revisions.
 */
import { makePurl } from '../../../core/index.ts';
import { UsageError } from '../../command.ts';

const MAX_SPEC = 512;

/** `ORG/NAME[@REVISION]` (or `datasets/ORG/NAME…`) as a purl; `type`: the `--type` given, if any. */
export function huggingfacePurl(spec: string, type: string | undefined): string {
  if (spec.length > MAX_SPEC) throw new UsageError(`a repo is at most ${MAX_SPEC} characters`);
  if (type !== undefined && type !== 'model' && type !== 'dataset') throw new UsageError('--type must be model or dataset');
  const at = spec.indexOf('@');
  let name = at === -1 ? spec : spec.slice(0, at);
  const revision = at === -1 ? null : spec.slice(at + 1);
  if (revision === '') throw new UsageError(`${JSON.stringify(spec.slice(0, 80))}: after @ comes a revision (a branch, a tag or a commit)`);
  const prefixed = name.startsWith('datasets/');
  if (prefixed && type === 'model') throw new UsageError(`${JSON.stringify(spec.slice(0, 80))} names a dataset, not a model`);
  if (type === 'dataset' && !prefixed) name = `datasets/${name}`;
  const id = name.split('/').slice(name.startsWith('datasets/') ? 1 : 0);
  if (id.length < 1 || id.length > 2 || id.some((s) => s === '')) {
    throw new UsageError(`${JSON.stringify(spec.slice(0, 80))}: give the repo as ORG/NAME[@REVISION] (a dataset: datasets/ORG/NAME or --type dataset)`);
  }
  return makePurl('huggingface', name, revision);
}
