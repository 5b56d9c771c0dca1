/**
 * What the MCP endpoint tells a client about its tools (`tools/list`): names, descriptions a
 * model can act on, JSON Schemas of the arguments (the limits tool-args.ts enforces) and of the
 * structured results (tool-results.ts builds them).
 */
import { ECOSYSTEMS } from '../../core/index.ts';
import { MAX_RANGE_SETS } from '../../gate/version-range.ts';
import { LIMITS } from './tool-args.ts';

const nullableString = { type: ['string', 'null'] } as const;

const packageProperties = {
  ecosystem: { type: 'string', enum: [...ECOSYSTEMS], description: 'npm (npm, pnpm, yarn), pypi (pip, uv), huggingface (models and datasets), oci (container images)' },
  name: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.name,
    description:
      'The package name exactly as you would install it: npm `lodash` or `@scope/pkg`; pypi `requests` (any spelling of the project name); huggingface `org/model`, or `datasets/org/name` for a dataset; oci the image path such as `library/alpine`',
  },
  version: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.version,
    description:
      'Optional. An exact version (npm `4.17.21`, pypi `2.31.0`), an image tag or `sha256:` digest, a Hub branch, tag or commit; ' +
      'or, for npm and pypi, a range as package.json or requirements.txt has it (npm `^4.17.0`, `~1.2.3`, `1.x`, `>=2 <3`; pypi `>=2,<3`, `~=1.4`, `==1.4.*`): ' +
      `the answer is then the version an install of the range gets through Airlock (the newest satisfying version it allows), or, when it allows none, the newest satisfying version and why it is held. At most ${MAX_RANGE_SETS} comparator sets (||) or clauses. Leave it out to check what an install without a version gets.`,
  },
  repo: { type: 'string', minLength: 1, maxLength: LIMITS.repo, description: 'Optional. The Airlock repository to ask; default: the first repository of the ecosystem' },
} as const;

const reason = { type: 'object', required: ['rule', 'message'], properties: { rule: nullableString, message: { type: 'string' } } } as const;

const checkItem = {
  type: 'object',
  required: ['ecosystem', 'name', 'repo', 'requested', 'version', 'verdict', 'status', 'installs', 'range', 'newestInRange', 'mayBeHallucinated', 'reasons', 'warnings', 'quarantineId', 'purl', 'message', 'advice'],
  properties: {
    ecosystem: { type: 'string' },
    name: { type: 'string' },
    repo: nullableString,
    requested: { ...nullableString, description: 'The version or range asked for (null: none)' },
    version: {
      ...nullableString,
      description: 'The version judged (without a requested version: the one the upstream calls latest; with a range: the one an install of it gets, or when Airlock allows none, the newest satisfying it)',
    },
    verdict: { type: 'string', enum: ['allow', 'quarantine', 'block', 'not-found', 'error'], description: 'What Airlock does with an install of `version`' },
    status: { type: 'string', enum: ['judged', 'package-not-found', 'version-not-found', 'unusable', 'error'] },
    installs: { ...nullableString, description: 'The version an install through Airlock gets (pinned: the version when allowed; unpinned: the newest version Airlock serves), or null: the install fails' },
    range: { ...nullableString, description: 'The range asked for, or null' },
    newestInRange: {
      type: ['object', 'null'],
      required: ['version', 'verdict', 'reasons', 'quarantineId'],
      properties: { version: { type: 'string' }, verdict: { type: 'string' }, reasons: { type: 'array', items: reason }, quarantineId: nullableString },
      description: 'With a range: the newest version satisfying it and its verdict, when that is not `version` (it is held, so an older version is what installs); else null',
    },
    mayBeHallucinated: { type: 'boolean', description: 'The name does not exist upstream: it may be made up. Never install it, never create or publish a package by that name.' },
    reasons: { type: 'array', items: reason, description: 'Why it is quarantined or blocked (the policy rules that decided)' },
    warnings: { type: 'array', items: reason },
    quarantineId: { ...nullableString, description: 'The quarantine record, for explain_quarantine and for asking a reviewer' },
    purl: nullableString,
    message: { ...nullableString, description: 'Why there is no verdict (not found, unusable, error)' },
    advice: { type: 'string', description: 'What to do next' },
  },
} as const;

export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  readonly outputSchema: Readonly<Record<string, unknown>>;
}

export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  {
    name: 'check_package',
    title: 'Check a package with Airlock',
    description:
      'Ask Airlock, the package gateway of this organisation, BEFORE you add, install or recommend a dependency (npm, PyPI, Hugging Face model or dataset, container image). ' +
      'Answers whether an install would be allowed, quarantined or blocked and why, which version an install gets, and whether the name exists at all: ' +
      'a name that does not exist upstream may be hallucinated and must not be installed, created or published.',
    inputSchema: { type: 'object', required: ['ecosystem', 'name'], additionalProperties: false, properties: packageProperties },
    outputSchema: checkItem,
  },
  {
    name: 'check_packages',
    title: 'Check a dependency list with Airlock',
    description: `Check up to ${LIMITS.batch} packages in one call (a dependency list, a lockfile's entries): for each the same answer as check_package, and counts per verdict.`,
    inputSchema: {
      type: 'object',
      required: ['packages'],
      additionalProperties: false,
      properties: {
        packages: { type: 'array', minItems: 1, maxItems: LIMITS.batch, items: { type: 'object', required: ['ecosystem', 'name'], additionalProperties: false, properties: packageProperties } },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['summary', 'results'],
      properties: {
        summary: {
          type: 'object',
          required: ['allow', 'quarantine', 'block', 'notFound', 'error'],
          properties: { allow: { type: 'integer' }, quarantine: { type: 'integer' }, block: { type: 'integer' }, notFound: { type: 'integer' }, error: { type: 'integer' } },
        },
        results: { type: 'array', items: checkItem },
      },
    },
  },
  {
    name: 'explain_quarantine',
    title: 'Explain an Airlock quarantine',
    description:
      'Read a quarantine record by its id (from check_package, or from a failed install\'s "Quarantine id …"): what is held, why, its state (quarantined, released, rejected) and how to ask for a release. Read-only: it releases nothing.',
    inputSchema: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: LIMITS.quarantineId, description: 'The quarantine id' } } },
    outputSchema: {
      type: 'object',
      required: ['id', 'state', 'ecosystem', 'name', 'version', 'purl', 'repo', 'reasons', 'createdAt', 'reviewedBy', 'reviewedAt', 'reviewReason', 'expiresAt', 'howToRelease'],
      properties: {
        id: { type: 'string' },
        state: { type: 'string', enum: ['quarantined', 'released', 'rejected'] },
        ecosystem: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string' },
        purl: { type: 'string' },
        repo: { type: 'string' },
        reasons: { type: 'array', items: reason },
        createdAt: { type: 'string' },
        reviewedBy: nullableString,
        reviewedAt: nullableString,
        reviewReason: nullableString,
        expiresAt: { ...nullableString, description: 'When a release lapses (null: never, or not released)' },
        howToRelease: { type: 'string' },
      },
    },
  },
  {
    name: 'suggest_allowed_version',
    title: 'Find a version Airlock allows',
    description:
      'For a package whose wanted version is quarantined or blocked: the newest version Airlock serves and allows now (what an install without a version gets), checked with the policy, or null when none is. ' +
      'Give `range` to stay within the range your manifest allows: then the newest version satisfying it that Airlock allows.',
    inputSchema: {
      type: 'object',
      required: ['ecosystem', 'name'],
      additionalProperties: false,
      properties: {
        ecosystem: packageProperties.ecosystem,
        name: packageProperties.name,
        range: {
          type: 'string',
          minLength: 1,
          maxLength: LIMITS.range,
          description: `Optional, npm and pypi only. The range to stay within, as the manifest has it: npm \`^4.17.0\`, \`1.x\`, \`>=2 <3\`; pypi \`>=2,<3\`, \`~=1.4\`, \`==1.4.*\` (at most ${MAX_RANGE_SETS} comparator sets or clauses)`,
        },
        repo: packageProperties.repo,
      },
    },
    outputSchema: {
      type: 'object',
      required: ['ecosystem', 'name', 'suggestion', 'latest'],
      properties: { ecosystem: { type: 'string' }, name: { type: 'string' }, suggestion: { ...nullableString, description: 'An allowed version, or null' }, latest: checkItem },
    },
  },
];
