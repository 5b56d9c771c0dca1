/**
 * Fuzz target of the chat-template analysis: a Jinja2 template as a model's uploader wrote it
 * (GGUF `tokenizer.chat_template`, `tokenizer_config.json`'s `chat_template`), lexed, parsed and
 * interpreted abstractly for template injection. The byte-level GGUF and JSON targets reach it
 * only when a mutation happens to leave the container valid; here the template's text itself is
 * corrupted. The analysis never throws: it answers with issues, `unparseable` among them when it
 * cannot read the template. Its issues must name places in the template; and an attribute access
 * the token-level fallback (used when parsing fails) would report, the full analysis must report
 * too: parsing a template must never see less than not parsing it. Through
 * the scanner, a template with issues must not scan safe, and no exception may escape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTemplate } from '../../../src/scan/formats/gguf/jinja/analyze.ts';
import { tokenize, type Token } from '../../../src/scan/formats/gguf/jinja/lexer.ts';
import { attributeRisk, ISSUE_CLASS, type TemplateIssue } from '../../../src/scan/formats/gguf/jinja/rules.ts';
import { scanBytes } from '../../../src/scan/index.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const TEMPLATES = join(import.meta.dirname, '../../fixtures/scan/gguf/templates');
const MAX_TOKENS = 200_000;

/** Escapes in the style of CVE-2024-34359 and public SSTI filter bypasses, beside the benign templates. */
const HOSTILE = [
  `{% for x in ().__class__.__base__.__subclasses__() %}{% if "warning" in x.__name__ %}{{x()._module.__builtins__['__import__']('os').popen("true")}}{%endif%}{% endfor %}`,
  `{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\u005f\\u005fmro\\137\\137') }}`,
  `{% set ns = namespace(s='') %}{% for p in ['__', 'class', '__'] %}{% set ns.s = ns.s ~ p %}{% endfor %}{{ ()|attr(ns.s) }}`,
  `{% macro get(o, n) %}{{ o|attr(n) }}{% endmacro %}{{ get((), '__cla' ~ 'ss__') }}{{ '{0.__class__}'.format(()) }}`,
  `{{ x|attr(("%c"*9)%(95,95,99,108,97,115,115,95,95)) }}{{ [()]|map(attribute='__class__')|list }}{% raw %}{{ x }}{% endraw %}{# c #}`,
];

/**
 * The attribute accesses (`.name`) the token-level fallback reports: the full analysis must report
 * them too. Not compared: its string literals (it reports any string with `__` in it, `'_____'`
 * printed as a rule; the analysis reports a string by what it is used for), and the steps of a
 * dotted filter or test name (`x|a.__b__`, `x is a.__b__`, `{% filter a.__b__ %}`), which Jinja
 * looks up whole in its table of filters and tests: no attribute is read.
 */
function riskyAttributes(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  let inFilterName = false;
  tokens.forEach((t, i) => {
    const [prev, before] = [tokens[i - 1], tokens[i - 2]];
    if (t.type === 'operator' && t.value === '.') return;
    if (t.type === 'name' && prev?.type === 'operator' && prev.value === '.') {
      if (!inFilterName && attributeRisk(t.value) !== undefined) out.push(t.value);
      return;
    }
    inFilterName =
      t.type === 'name' &&
      prev !== undefined &&
      ((prev.type === 'operator' && prev.value === '|') ||
        (prev.type === 'name' && prev.value === 'is') ||
        (prev.type === 'name' && prev.value === 'not' && before?.type === 'name' && before.value === 'is') ||
        (prev.type === 'name' && prev.value === 'filter' && before?.type === 'block_begin'));
  });
  return out;
}

function problemWith(source: string, issues: readonly TemplateIssue[]): string | undefined {
  for (const i of issues) {
    if (!Object.hasOwn(ISSUE_CLASS, i.kind)) return `an issue of unknown kind ${JSON.stringify(i.kind)}`;
    if (!Number.isInteger(i.offset) || i.offset < 0 || i.offset > source.length) return `issue ${i.kind} at offset ${i.offset}, outside the ${source.length}-character template`;
    if (typeof i.detail !== 'string' || typeof i.via !== 'string') return `issue ${i.kind} without a detail or route`;
  }
  let tokens: Token[];
  try {
    tokens = tokenize(source, MAX_TOKENS);
  } catch {
    return undefined; // the raw-text fallback: nothing finer to compare with
  }
  const reported = new Set(issues.map((i) => i.detail));
  const missed = riskyAttributes(tokens).find((d) => !reported.has(d));
  return missed === undefined ? undefined : `the analysis did not report ${JSON.stringify(missed.slice(0, 80))}, which the token-level fallback reports: parsing saw less than not parsing`;
}

const chatTemplate: FuzzTarget = {
  seeds: () => [
    ...readdirSync(TEMPLATES)
      .filter((f) => f.endsWith('.jinja'))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(TEMPLATES, f)))),
    ...HOSTILE.map(text),
  ],
  text: true,
  extra: () =>
    [
      `{{ ${Array(50_000).fill("'a'").join(' ~ ')} }}`,
      `{{ ${Array(50_000).fill('x').join(' + ')} }}`,
      `{{ ${Array(50_000).fill('x').join(' and ')} }}`,
      `{{ ${Array(50_000).fill('x').join(' < ')} }}`,
      `{{ ${Array(50_000).fill('2').join(' ** ')} }}`,
      `{{ x${'.a'.repeat(50_000)} }}`,
      `{{ x${'[0]'.repeat(50_000)} }}`,
      `{{ x${'()'.repeat(50_000)} }}`,
      `{{ x${'|lower'.repeat(50_000)} }}`,
      `{{ x ${'is defined and x '.repeat(20_000)} }}`,
      `{{ ${'not '.repeat(50_000)}x }}`,
      `{{ ${'-'.repeat(50_000)}x }}`,
      `{{ ${nested('(', ')', 50_000, 'x')} }}`,
      `${'{% if x %}'.repeat(20_000)}${'{% endif %}'.repeat(20_000)}`,
      `{% set x = '${'_'.repeat(4000)}' %}${'{% set x = x ~ x %}'.repeat(200)}{{ ()|attr(x) }}`,
      `{{ ('_' * 99999999999) ~ 'class' }}{{ '%c' * 100000 }}`,
    ].map(text),
  run: async (input) => {
    const source = asText(input);
    const issues = analyzeTemplate(source, { maxTokens: MAX_TOKENS });
    const problem = problemWith(source, issues);
    if (problem !== undefined) return problem;
    const r = await scanBytes(text(JSON.stringify({ chat_template: source })), 'tokenizer_config.json');
    const crash = r.findings.find((f) => f.rule === 'scan.error');
    if (crash !== undefined) return `an exception escaped the scanner and became a finding: ${crash.message}`;
    if (issues.length > 0 && r.verdict === 'safe') return `the analysis reported ${issues[0]?.kind} (${issues[0]?.detail.slice(0, 60)}), the tokenizer config scanned safe`;
    return undefined;
  },
  accepts: () => false,
};

export const targets: Record<string, FuzzTarget> = { 'chat-template': chatTemplate };
