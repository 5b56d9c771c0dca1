/**
 * Compliance evidence with the real clients: `npm install`s through Airlock (allowed, blocked by
 * tarball URL, quarantined and then released by an approver with `airlock quarantine release`)
 * leave decisions in the audit trail; `airlock audit export` of the time window writes a segment
 * that `airlock audit verify --file` accepts offline and against the server; an edited event
 * line, or a dropped one, fails naming its seq; a segment begun in the middle links to its
 * anchor; `airlock audit report --format json` lists the release with the approver's token and
 * reason, and counts the decisions that were installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminGet, airlockCli, createToken, e2e, quarantineIdIn } from './support.ts';

type Obj = Record<string, unknown>;

async function segment(path: string): Promise<{ lines: string[]; header: Obj; events: Obj[]; trailer: Obj }> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const parsed = lines.map((l) => JSON.parse(l) as Obj);
  return { lines, header: parsed[0] as Obj, events: parsed.slice(1, -1), trailer: parsed.at(-1) as Obj };
}

test('audit evidence: installs exported for a time window, verified offline and live, tampering named, reported', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const approver = await createToken(s.airlock, 'approver', 'security-reviewer');
  const asApprover = (args: readonly string[]) => airlockCli(args, { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: approver });
  await sleep(20);
  const since = new Date().toISOString();

  const p = await s.project();
  assert.equal((await p.npm(['install', 'left-pad'])).code, 0);
  assert.equal((await p.npm(['install', '@acme/widget@1.0.0'])).code, 0);
  const blocked = await p.npm(['install', `${s.registry}hide-me/-/hide-me-2.0.0.tgz`]);
  assert.notEqual(blocked.code, 0);
  assert.match(blocked.output, /hide-me@2\.0\.0 is blocked by Airlock/);
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '', held.output);
  const reason = 'the postinstall only prints; reviewed in SEC-1234';
  const release = await asApprover(['quarantine', 'release', id, '--reason', reason, '--expires', '30d']);
  assert.equal(release.code, 0, release.output);
  assert.equal((await p.npm(['install', 'scripted-pkg'])).code, 0);
  const lock = await p.readJson('package-lock.json');
  const installed = Object.keys(lock['packages'] as Obj).filter((k) => k !== '');
  assert.deepEqual(installed.sort(), ['node_modules/@acme/widget', 'node_modules/left-pad', 'node_modules/scripted-pkg']);
  await sleep(20);
  const until = new Date().toISOString();

  // The window, exported through the server.
  const file = join(s.tmp, 'evidence.jsonl');
  const exported = await s.cli(['audit', 'export', '--since', since, '--until', until, '--out', file]);
  assert.equal(exported.code, 0, exported.output);
  const seg = await segment(file);
  assert.match(exported.stdout, new RegExp(`^exported ${seg.events.length} events, seq \\d+–\\d+ to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; anchor seq \\d+ hash [0-9a-f]{64}; last hash [0-9a-f]{64}\\n$`));
  assert.equal(seg.header['format'], 'airlock-audit-segment');
  assert.deepEqual(seg.header['range'], { since, until, after: null, through: null });
  const anchor = seg.header['anchor'] as { seq: number; hash: string };
  assert.ok(anchor.seq >= 2, 'the window begins after the bootstrap token and the approver token: it links to the event before it');
  const liveAnchor = ((await adminGet(s.airlock, `audit?after=${anchor.seq - 1}&limit=1`)) as { items: Obj[] }).items[0];
  assert.deepEqual([liveAnchor?.['seq'], liveAnchor?.['hash'], liveAnchor?.['action']], [anchor.seq, anchor.hash, 'token.create']);
  assert.ok(seg.events.every((e) => String(e['at']) >= since && String(e['at']) < until));
  assert.equal(seg.events[0]?.['seq'], anchor.seq + 1);
  assert.deepEqual(seg.trailer['actors'], { [`token:${String(liveAnchor?.['subject'])}`]: { label: 'security-reviewer', role: 'approver', createdAt: String(liveAnchor?.['at']), revokedAt: null } });

  // Offline: nothing is asked of any server (the one named in the environment is not there).
  const offline = await airlockCli(['audit', 'verify', '--file', file], { AIRLOCK_SERVER: 'http://127.0.0.1:9' });
  assert.equal(offline.code, 0, offline.output);
  assert.match(offline.stdout, new RegExp(`^audit segment intact: ${seg.events.length} events, seq ${anchor.seq + 1}–\\d+, anchored at seq ${anchor.seq} \\(hash ${anchor.hash}\\); last hash ${String(seg.trailer['lastHash'])}\\n$`));
  const live = await asApprover(['audit', 'verify', '--file', file, '--server', s.airlock.url]);
  assert.equal(live.code, 0, live.output);
  assert.match(live.stdout, new RegExp(`identical to the live audit trail of ${s.airlock.url}: the anchor and all ${seg.events.length} events`));

  // One event edited (the release's reason): verify names its line and seq.
  const at = seg.events.findIndex((e) => e['action'] === 'quarantine.release');
  const releaseSeq = seg.events[at]?.['seq'] as number;
  assert.equal((seg.events[at]?.['details'] as Obj)['reason'], reason);
  const edited = [...seg.lines];
  edited[at + 1] = (edited[at + 1] as string).replace(reason, 'approved by the CISO');
  await writeFile(join(s.tmp, 'edited.jsonl'), `${edited.join('\n')}\n`);
  const editedRun = await airlockCli(['audit', 'verify', '--file', join(s.tmp, 'edited.jsonl')], {});
  assert.equal(editedRun.code, 1, editedRun.output);
  assert.match(editedRun.stderr, new RegExp(`line ${at + 2} \\(seq ${releaseSeq}\\): the event content does not match its hash \\(altered\\)`));

  // One line dropped: the next event no longer follows.
  const dropped = seg.lines.filter((_, i) => i !== 2);
  await writeFile(join(s.tmp, 'dropped.jsonl'), `${dropped.join('\n')}\n`);
  const droppedRun = await airlockCli(['audit', 'verify', '--file', join(s.tmp, 'dropped.jsonl')], {});
  assert.equal(droppedRun.code, 1, droppedRun.output);
  assert.match(droppedRun.stderr, new RegExp(`line 3 \\(seq ${anchor.seq + 3}\\): an event is missing or was inserted: expected ${anchor.seq + 2}, found ${anchor.seq + 3}`));

  // A segment begun in the middle (after the quarantine opened) links to that event.
  const opened = seg.events.find((e) => e['action'] === 'quarantine.open') as Obj;
  const midFile = join(s.tmp, 'mid.jsonl');
  const midRun = await s.cli(['audit', 'export', '--after', String(opened['seq']), '--through', String(seg.trailer['lastSeq']), '--out', midFile]);
  assert.equal(midRun.code, 0, midRun.output);
  const mid = await segment(midFile);
  assert.deepEqual(mid.header['anchor'], { seq: opened['seq'], hash: opened['hash'] });
  assert.equal(mid.events[0]?.['prevHash'], opened['hash']);
  assert.deepEqual(mid.lines.slice(1, -1), seg.lines.slice(seg.events.indexOf(opened) + 2, -1), 'the same events, byte for byte');
  assert.equal((await airlockCli(['audit', 'verify', '--file', midFile], {})).code, 0);
  assert.equal((await s.cli(['audit', 'verify', '--file', midFile, '--server', s.airlock.url])).code, 0);

  // The report of the same window, by the approver: the release with who and why, the decisions.
  const reported = await asApprover(['audit', 'report', '--since', since, '--until', until, '--format', 'json']);
  assert.equal(reported.code, 0, reported.output);
  const r = JSON.parse(reported.stdout) as {
    decisions: { total: number; byEcosystem: Record<string, Obj> };
    sections: Record<string, { counts: Obj; entries: Array<{ seq: number; action: string; subject: string; by: Obj; details: Obj; at: string }> }>;
    chain: Obj;
  };
  assert.deepEqual(r.decisions.byEcosystem, { npm: { allowed: installed.length, quarantined: 1, blocked: 1 } });
  assert.equal(r.decisions.total, installed.length + 2);
  assert.deepEqual(r.sections['quarantine']?.counts, { held: 1, released: 1 });
  const released = r.sections['quarantine']?.entries.find((e) => e.action === 'quarantine.release');
  assert.equal(released?.seq, releaseSeq);
  assert.equal(released?.subject, id);
  assert.deepEqual(released?.by, { actor: `token:${String(liveAnchor?.['subject'])}`, label: 'security-reviewer', role: 'approver', source: 'gateway records' });
  assert.equal(released?.details['reason'], reason);
  assert.equal(released?.details['purl'], 'pkg:npm/scripted-pkg@1.0.0');
  assert.match(String(released?.details['expiresAt']), /^\d{4}-\d{2}-\d{2}T/);
  assert.deepEqual(r.chain, { anchor, firstSeq: seg.trailer['firstSeq'], lastSeq: seg.trailer['lastSeq'], lastHash: seg.trailer['lastHash'], verified: 'offline' });

  // As text, ending with the chain points of the export; and from the exported file itself.
  const text = await asApprover(['audit', 'report', '--since', since, '--until', until]);
  assert.equal(text.code, 0, text.output);
  assert.match(text.stdout, /released\s+pkg:npm\/scripted-pkg@1\.0\.0\s+security-reviewer \(approver, token:\S+\)\s+id: \S+; repo: npm; reason: the postinstall only prints; reviewed in SEC-1234; expiresAt: /);
  assert.match(text.stdout, new RegExp(`Chain anchor:  seq ${anchor.seq} hash ${anchor.hash}\\nLast event:    seq ${String(seg.trailer['lastSeq'])} hash ${String(seg.trailer['lastHash'])}\\n$`));
  const fromFile = await airlockCli(['audit', 'report', '--file', file, '--format', 'json'], {});
  assert.equal(fromFile.code, 0, fromFile.output);
  assert.deepEqual((JSON.parse(fromFile.stdout) as typeof r).decisions, r.decisions);

  // A reader may not export the trail.
  const reader = await createToken(s.airlock, 'reader', 'ci');
  const refused = await airlockCli(['audit', 'export', '--since', since, '--out', join(s.tmp, 'refused.jsonl')], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.equal(refused.code, 4, refused.output);
  await assert.rejects(readFile(join(s.tmp, 'refused.jsonl')), /ENOENT/, 'a failed export leaves no file');
});
