/**
 * Audit events as chat messages (`format: slack`): one line a person reads in a channel, in the
 * `{"text": …}` body that Slack's incoming webhooks take, as do Mattermost's, Rocket.Chat's and
 * Google Chat's. What a reviewer needs is in the line: the package, the reasons, the quarantine
 * id and the command that releases it, and the review UI's address when the gateway knows its
 * public URL. The details are hostile as far as a chat is concerned (package names and reasons
 * come from upstreams): the characters Slack's markup gives meaning to are escaped and every
 * part is cut to a length.
 */
import type { AuditEvent, Json } from '../storage/ports/index.ts';

/** Slack's limit for a message's text is 40,000 characters; a line for people stays far below. */
const MAX_TEXT = 3000;
const MAX_PART = 500;
const MAX_REASONS = 5;

type Obj = { readonly [k: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text that Slack's markup reads as text: `&`, `<`, `>` escaped (what links and mentions are made of), cut. */
function plain(v: Json | undefined, max = MAX_PART): string {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
  const one = s.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return cut.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function reasonsOf(details: Obj): string {
  const list = Array.isArray(details['reasons']) ? details['reasons'] : [];
  const shown = list.slice(0, MAX_REASONS).map((r) => (isObj(r) ? `${plain(r['message'])}${typeof r['rule'] === 'string' ? ` [${plain(r['rule'], 100)}]` : ''}` : plain(r)));
  if (list.length > MAX_REASONS) shown.push(`and ${list.length - MAX_REASONS} more`);
  return shown.join('; ');
}

function inRepo(details: Obj): string {
  return typeof details['repo'] === 'string' ? ` in ${plain(details['repo'], 100)}` : '';
}

/** The line for one audit event; `reviewUrl`: where the review UI is, when known. */
export function chatText(e: AuditEvent, reviewUrl: string | null): string {
  const d: Obj = isObj(e.details) ? e.details : {};
  const purl = plain(d['purl'] ?? e.subject, 300);
  const review = reviewUrl === null ? '' : ` Review: ${reviewUrl}`;
  const by = plain(e.actor, 100);
  let text: string;
  switch (e.action) {
    case 'quarantine.open':
      text = `:warning: Airlock quarantined ${purl}${inRepo(d)}: ${reasonsOf(d)}. Quarantine id ${plain(e.subject, 64)}; release with: airlock quarantine release ${plain(e.subject, 64)} --reason "…".${review}`;
      break;
    case 'quarantine.release':
      text = `:white_check_mark: ${by} released ${purl}${inRepo(d)} (quarantine ${plain(e.subject, 64)})${typeof d['expiresAt'] === 'string' ? ` until ${plain(d['expiresAt'], 40)}` : ''}: ${plain(d['reason'])}`;
      break;
    case 'quarantine.reject':
      text = `:no_entry: ${by} rejected ${purl}${inRepo(d)} (quarantine ${plain(e.subject, 64)}): ${plain(d['reason'])}`;
      break;
    case 'decision.block':
      text = `:no_entry: Airlock blocked ${purl}${inRepo(d)}: ${reasonsOf(d)}`;
      break;
    case 'decision.quarantine':
      text = `:warning: Airlock held ${purl}${inRepo(d)}: ${reasonsOf(d)}${typeof d['quarantine'] === 'string' ? `. Quarantine id ${plain(d['quarantine'], 64)}` : ''}${review}`;
      break;
    case 'decision.allow':
      text = `Airlock allowed ${purl}${inRepo(d)}`;
      break;
    case 'verdict.changed':
      text = `:rotating_light: The verdict on ${purl}${inRepo(d)}, which clients already downloaded, changed from ${plain(d['from'], 20)} to ${plain(d['to'], 20)}: ${reasonsOf(d)}`;
      break;
    case 'feeds.import': {
      const exposed = isObj(d['exposed']) ? d['exposed'] : null;
      const counts = exposed === null ? [] : Object.entries(exposed).filter(([, n]) => typeof n === 'number' && n > 0).map(([level, n]) => `${String(n)} ${plain(level, 20)}`);
      text = `Airlock imported the feed ${plain(d['source'], 100)}: ${plain(d['records'], 20)} advisories${exposed === null ? '' : counts.length === 0 ? '; no version Airlock holds is affected by a known vulnerability' : `; versions Airlock holds with known vulnerabilities: ${counts.join(', ')} (airlock vulnerabilities lists them)`}`;
      break;
    }
    default:
      text = `Airlock: ${plain(e.action, 100)} ${plain(e.subject, 300)} by ${by}`;
  }
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
