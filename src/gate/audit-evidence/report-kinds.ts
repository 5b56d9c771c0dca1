/**
 * Every audit action Airlock writes, and where the compliance report puts it: the one place that
 * maps event kinds to report sections (a test in `report.test.ts` fails when the code writes an
 * action this table does not know). An action missing here is still counted, under "other".
 */

export type SectionId = 'decisions' | 'quarantine' | 'verdicts' | 'exceptions' | 'policy' | 'tokens' | 'hosted' | 'webhooks';

/** The listed sections, in report order, with their titles (decisions are counted, not listed). */
export const SECTIONS: readonly { readonly id: Exclude<SectionId, 'decisions'>; readonly title: string }[] = [
  { id: 'quarantine', title: 'Quarantine: versions held, released and rejected' },
  { id: 'exceptions', title: 'Exceptions granted and removed' },
  { id: 'verdicts', title: 'Verdicts changed on versions already served' },
  { id: 'policy', title: 'Policy and advisory feed changes' },
  { id: 'tokens', title: 'API tokens created and revoked' },
  { id: 'hosted', title: 'Hosted repositories: publishes, unpublishes, yanks, tags' },
  { id: 'webhooks', title: 'Webhook deliveries skipped or replayed' },
];

export interface AuditKind {
  readonly section: SectionId;
  /** How the report names what happened. */
  readonly label: string;
  /** The event's details the report shows for it (the subject and who acted always). */
  readonly fields: readonly string[];
}

const REPO = 'repo';

export const AUDIT_KINDS: Readonly<Record<string, AuditKind>> = {
  // The gate's judgement of a download (artifact phase), and its change once served.
  'decision.allow': { section: 'decisions', label: 'allowed', fields: [] },
  'decision.quarantine': { section: 'decisions', label: 'quarantined', fields: [] },
  'decision.block': { section: 'decisions', label: 'blocked', fields: [] },
  'verdict.changed': { section: 'verdicts', label: 'verdict changed', fields: [REPO, 'phase', 'from', 'to', 'source', 'reasons'] },
  // Reviews. The subject is the quarantine record's id.
  'quarantine.open': { section: 'quarantine', label: 'held', fields: ['purl', REPO, 'reasons'] },
  'quarantine.release': { section: 'quarantine', label: 'released', fields: ['purl', REPO, 'reason', 'expiresAt'] },
  'quarantine.reject': { section: 'quarantine', label: 'rejected', fields: ['purl', REPO, 'reason'] },
  // Overrides of the policy. The subject is the exception's id.
  'exception.create': { section: 'exceptions', label: 'granted', fields: ['ecosystem', 'name', 'version', 'rules', 'reason', 'expiresAt'] },
  'exception.delete': { section: 'exceptions', label: 'removed', fields: [] },
  // What the gate judges with. The subject is the policy's hash, or the feed import's id.
  'policy.reload': { section: 'policy', label: 'policy loaded', fields: ['trigger', 'changed'] },
  'feeds.import': { section: 'policy', label: 'advisory feed imported', fields: ['source', 'origin', 'records', 'malicious', 'vulnerabilities', 'added', 'updated'] },
  // Access. The subject is the token's id.
  // `oidc`: the issuer, subject and trust rule of a token exchanged for a CI job's ID token.
  'token.create': { section: 'tokens', label: 'created', fields: ['role', 'label', 'expiresAt', 'scope', 'oidc'] },
  'token.revoke': { section: 'tokens', label: 'revoked', fields: [] },
  // Hosted repositories (npm, pypi, oci). The subject is the package's or image's purl.
  'package.publish': { section: 'hosted', label: 'published', fields: [REPO, 'version', 'filename', 'tags'] },
  'package.unpublish': { section: 'hosted', label: 'unpublished', fields: [REPO, 'version', 'versions', 'whole', 'reason'] },
  'package.yank': { section: 'hosted', label: 'yanked', fields: [REPO, 'version', 'versions', 'whole', 'reason'] },
  'package.unyank': { section: 'hosted', label: 'unyanked', fields: [REPO, 'version', 'versions', 'whole'] },
  'package.deprecate': { section: 'hosted', label: 'deprecated', fields: [REPO, 'deprecated', 'undeprecated'] },
  'package.dist-tag': { section: 'hosted', label: 'tagged', fields: [REPO, 'tag', 'version'] },
  'package.dist-tag-remove': { section: 'hosted', label: 'tag removed', fields: [REPO, 'tag'] },
  'image.push': { section: 'hosted', label: 'image pushed', fields: [REPO, 'tag', 'mediaType'] },
  'image.delete': { section: 'hosted', label: 'image deleted', fields: [REPO, 'tags'] },
  'image.untag': { section: 'hosted', label: 'image untagged', fields: [REPO, 'tag'] },
  'image.gc': { section: 'hosted', label: 'unreferenced image data removed', fields: [REPO] },
  // The audit trail's own delivery. The subject is the webhook's name.
  'webhook.skip': { section: 'webhooks', label: 'event skipped', fields: ['seq', 'reason'] },
  'webhook.replay': { section: 'webhooks', label: 'replayed', fields: ['fromSeq', 'reason'] },
};

export function auditKind(action: string): AuditKind | null {
  return Object.hasOwn(AUDIT_KINDS, action) ? (AUDIT_KINDS[action] as AuditKind) : null;
}
