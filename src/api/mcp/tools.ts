/**
 * The MCP tools, run: each reads its arguments (tool-args.ts), asks the same services the admin
 * API asks (the check service as `/-/api/check` does, so a missing name is recorded in the
 * missing-name ledger alike; the quarantine service as `/-/api/quarantine/:id` does) and answers
 * with text and a structured result (tool-results.ts).
 */
import type { CheckResult } from '../../gate/check-result.ts';
import type { CheckService } from '../../gate/check-service.ts';
import type { QuarantineService } from '../../gate/quarantine-service.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { checkSummary } from '../check-targets.ts';
import { packageName, packageTarget, packageTargets, quarantineId } from './tool-args.ts';
import { checkItem, itemLine, quarantineText, quarantineView } from './tool-results.ts';

export interface ToolDeps {
  readonly check: CheckService;
  readonly quarantine: QuarantineService;
}

export interface ToolOutput {
  readonly text: string;
  /** The `structuredContent`: an object the tool's output schema describes. */
  readonly structured: object;
}

type Args = Readonly<Record<string, unknown>>;
type Tool = (args: Args, deps: ToolDeps, request: RequestContext) => Promise<ToolOutput>;

async function checkPackage(args: Args, deps: ToolDeps, request: RequestContext): Promise<ToolOutput> {
  const item = checkItem(await deps.check.check(packageTarget(args, 'check_package'), request));
  return { text: itemLine(item), structured: item };
}

async function checkPackages(args: Args, deps: ToolDeps, request: RequestContext): Promise<ToolOutput> {
  const results = await deps.check.checkMany(packageTargets(args), request);
  const summary = checkSummary(results);
  const items = results.map(checkItem);
  const counts = `${summary.allow} allow, ${summary.quarantine} quarantine, ${summary.block} block, ${summary.notFound} not found, ${summary.error} error`;
  return { text: [...items.map(itemLine), counts].join('\n'), structured: { summary, results: items } };
}

async function explainQuarantine(args: Args, deps: ToolDeps): Promise<ToolOutput> {
  const view = quarantineView(await deps.quarantine.get(quarantineId(args)));
  return { text: quarantineText(view), structured: view };
}

/**
 * The newest version Airlock serves for an install without a version, judged again on its own:
 * suggested only when the policy allows it now. With a range: the version an install of it gets
 * through Airlock (the check resolves the range to the newest satisfying version it allows).
 */
async function suggestAllowedVersion(args: Args, deps: ToolDeps, request: RequestContext): Promise<ToolOutput> {
  const target = packageName(args);
  const latest = await deps.check.check(target, request);
  const served = latest.status !== 'judged' ? null : (latest.resolvesTo ?? latest.version);
  let judged: CheckResult | null = null;
  if (served !== null) judged = served === latest.version ? latest : await deps.check.check({ ...target, version: served, range: null }, request);
  const suggestion = judged !== null && judged.verdict === 'allow' ? judged.version : null;
  const item = checkItem(latest);
  const within = target.range === undefined || target.range === null ? '' : ` satisfying ${target.range}`;
  const text =
    suggestion !== null
      ? `${target.ecosystem} ${latest.name}: ${suggestion} is ${within === '' ? '' : `the newest version${within} `}allowed by Airlock; pin that version.${item.version === suggestion ? '' : ` (latest ${item.version ?? '?'}: ${item.verdict})`}`
      : latest.status === 'judged'
        ? `${target.ecosystem} ${latest.name}: no version${within} Airlock allows now. ${item.advice}`
        : itemLine(item);
  return { text, structured: { ecosystem: target.ecosystem, name: latest.name, suggestion, latest: item } };
}

/** By name (a Map: a client's tool name never reaches an object's prototype). */
export const TOOLS: ReadonlyMap<string, Tool> = new Map<string, Tool>([
  ['check_package', checkPackage],
  ['check_packages', checkPackages],
  ['explain_quarantine', explainQuarantine],
  ['suggest_allowed_version', suggestAllowedVersion],
]);
