/**
 * What the malicious records say about themselves, for the evaluation's labels. Only the OSV
 * records of the `osv/` subset carry their text (summary and per-source details); the gzipped
 * index of the whole snapshot has names, versions and sources only.
 *
 * Read from the text (case-insensitive), per name:
 *  - an explicitly named target: "typosquatting the popular requests package", "a typosquat of
 *    the matplotlib package", "impersonates the popular 'cookie-parser' package", "imitating the
 *    popular marked library", "impersonating the PyPI package `art`";
 *  - a typosquatting claim without a target: "Malicious Typosquatting packages campaign";
 *  - a dependency-confusion probe: "dependency confusion" / "confusion" proof-of-concept wording
 *    in the name or the text.
 * Read from the index, for every name: whether a version looks like a dependency-confusion probe
 * (a major version of 90 or more: `99.99.99`, `999.9.9`, `213.21.24` — such probes publish above
 * any internal version so that a misconfigured resolver prefers them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { THREAT_DATA } from './eval-data.ts';

export interface RecordEvidence {
  /** A package the record's text says this one imitates (as written, not validated). */
  readonly namedTarget: string | null;
  /** The text calls it a typosquat (campaign) without naming the target. */
  readonly typosquatClaim: boolean;
  /** The text or the name says dependency-confusion probe. */
  readonly confusionProbe: boolean;
  /** The excerpt the evidence comes from (for the report). */
  readonly excerpt: string | null;
}

const NAMED_TARGET_RES: readonly RegExp[] = [
  /typosquat(?:ting|s)?\s+(?:of\s+)?the\s+(?:popular\s+|legitimate\s+)?(?:pypi\s+|npm\s+)?[`'"]?([a-z0-9@][\w@./-]*)[`'"]?\s+(?:package|library)/i,
  /impersonat\w*\s+the\s+(?:popular\s+|legitimate\s+)?(?:pypi\s+|npm\s+)?(?:package\s+)?[`'"]([a-z0-9@][\w@./-]*)[`'"]/i,
  /imitating\s+the\s+(?:popular\s+|legitimate\s+)?[`'"]?([a-z0-9@][\w@./-]*)[`'"]?\s+(?:package|library)/i,
];
const TYPOSQUAT_RE = /typo-?squat/i;
const CONFUSION_RE = /dependency[\s_-]?confusion|confus\w*[\s_-]?(?:poc|test)|poc[\s_-]?confusion/i;

function textOf(doc: unknown): { name: string; text: string } | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as { summary?: unknown; details?: unknown; affected?: unknown };
  const affected = Array.isArray(d.affected) ? (d.affected[0] as { package?: { name?: unknown } } | undefined) : undefined;
  const name = affected?.package?.name;
  if (typeof name !== 'string') return null;
  const text = `${typeof d.summary === 'string' ? d.summary : ''}\n${typeof d.details === 'string' ? d.details : ''}`;
  return { name, text };
}

function evidenceOf(name: string, text: string): RecordEvidence {
  let namedTarget: string | null = null;
  let excerpt: string | null = null;
  for (const re of NAMED_TARGET_RES) {
    const m = re.exec(text);
    if (m !== null) {
      namedTarget = m[1] ?? null;
      excerpt = m[0];
      break;
    }
  }
  const typo = TYPOSQUAT_RE.exec(text);
  if (excerpt === null && typo !== null) excerpt = text.slice(Math.max(0, typo.index - 40), typo.index + 60).replace(/\s+/g, ' ').trim();
  return {
    namedTarget,
    typosquatClaim: typo !== null,
    confusionProbe: CONFUSION_RE.test(name) || CONFUSION_RE.test(text),
    excerpt,
  };
}

/** Evidence per `ecosystem:canonical name`, from the records of the `osv/` subset. */
export function loadRecordEvidence(canonical: (eco: 'npm' | 'pypi', name: string) => string): Map<string, RecordEvidence> {
  const out = new Map<string, RecordEvidence>();
  for (const eco of ['npm', 'pypi'] as const) {
    const dir = join(THREAT_DATA, 'malicious-packages', 'osv', eco);
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const rec = textOf(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      if (rec === null) continue;
      const key = `${eco}:${canonical(eco, rec.name)}`;
      const ev = evidenceOf(rec.name, rec.text);
      const prev = out.get(key);
      // Several records per name: keep whatever any of them says.
      out.set(key, prev === undefined ? ev : {
        namedTarget: prev.namedTarget ?? ev.namedTarget,
        typosquatClaim: prev.typosquatClaim || ev.typosquatClaim,
        confusionProbe: prev.confusionProbe || ev.confusionProbe,
        excerpt: prev.excerpt ?? ev.excerpt,
      });
    }
  }
  return out;
}

/** A version that looks like a dependency-confusion probe: major version 90 or more. */
export function isProbeVersion(version: string): boolean {
  const m = /^v?(\d+)(?:\.|$)/.exec(version);
  return m !== null && Number(m[1]) >= 90;
}
