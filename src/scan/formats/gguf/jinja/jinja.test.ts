import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTemplate } from './analyze.ts';
import { formatFieldAttributes, type IssueKind } from './rules.ts';
import { printf } from './string-ops.ts';

const TEMPLATES = join(import.meta.dirname, '../../../../../test/fixtures/scan/gguf/templates');
const analyse = (src: string) => analyzeTemplate(src, { maxTokens: 1_000_000 });
const kinds = (src: string): IssueKind[] => analyse(src).map((i) => i.kind);

for (const file of readdirSync(TEMPLATES).filter((f) => f.endsWith('.jinja')).sort()) {
  test(`benign chat template passes: ${file}`, () => {
    const issues = analyse(readFileSync(join(TEMPLATES, file), 'utf8'));
    assert.deepEqual(issues, []);
  });
}

/** Payloads in the style of CVE-2024-34359 (llama-cpp-python) and public SSTI filter bypasses. */
const MALICIOUS: ReadonlyArray<readonly [string, string]> = [
  ['CVE-2024-34359 proof of concept', `{% for x in ().__class__.__base__.__subclasses__() %}{% if "warning" in x.__name__ %}{{x()._module.__builtins__['__import__']('os').popen("true")}}{%endif%}{% endfor %}`],
  ['lipsum globals', `{{ lipsum.__globals__['os'].popen('true').read() }}`],
  ['cycler init globals', `{{ cycler.__init__.__globals__.os.popen('true').read() }}`],
  ['joiner init globals', `{{ joiner.__init__.__globals__.os.popen('true') }}`],
  ['namespace init globals', `{{ namespace.__init__.__globals__.os.popen('true') }}`],
  ['TemplateReference context', `{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('true').read() }}`],
  ['request application', `{{ request.application.__globals__.__builtins__.__import__('os').popen('true').read() }}`],
  ['subscript with a literal', `{{ ''['__class__']['__mro__'][1]['__subclasses__']() }}`],
  ['attr filter with hex escapes', `{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fmro\\x5f\\x5f') }}`],
  ['attr filter with unicode and octal escapes', `{{ ''|attr('\\u005f\\u005fclass\\137\\137') }}`],
  ['attr filter with named escapes', `{{ ''|attr('\\N{LOW LINE}\\N{low line}class\\N{LOW LINE}_') }}`],
  ['string concatenation with +', `{{ ''['__cla' + 'ss__'] }}`],
  ['string concatenation with ~', `{{ ()|attr('__cla' ~ 'ss__') }}`],
  ['adjacent string literals', `{{ ''['__cla' 'ss__'] }}`],
  ['join of a tuple', `{{ ()|attr(('_'*2, 'class', '_'*2)|join) }}`],
  ['join of a list with a separator', `{{ ()|attr(['', 'class', '']|join('__')) }}`],
  ['dict keyword keys', `{{ ()|attr(dict(__class__=1)|first) }}`],
  ['dict keys joined', `{{ ()|attr(dict(__cla=1, ss__=2)|join) }}`],
  ['printf format filter', `{{ ()|attr('%c%c%s%c%c'|format(95, 95, 'class', 95, 95)) }}`],
  ['percent operator', `{{ ()|attr('%s%sclass%s%s' % ('_', '_', '_', '_')) }}`],
  ['str.format', `{{ ()|attr('{}{}class{}{}'.format('_','_','_','_')) }}`],
  ['reversed string', `{{ ()|attr('__ssalc__'|reverse) }}`],
  ['reversed slice', `{{ ()|attr('__ssalc__'[::-1]) }}`],
  ['upper to lower', `{{ ()|attr('__CLASS__'|lower) }}`],
  ['replace', `{{ ()|attr('__cXlass__'|replace('X', '')) }}`],
  ['variable assembled with set', `{% set a = '__cla' %}{% set b = 'ss__' %}{{ ()|attr(a ~ b) }}`],
  ['set block capture', `{% set name %}__class__{% endset %}{{ ()|attr(name) }}`],
  ['tuple unpacking', `{% set a, b = '__cla', 'ss__' %}{{ ()[a + b] }}`],
  ['loop over literals into a namespace', `{% set ns = namespace(s='') %}{% for p in ['__', 'class', '__'] %}{% set ns.s = ns.s ~ p %}{% endfor %}{{ ()|attr(ns.s) }}`],
  ['macro argument', `{% macro get(o, n) %}{{ o|attr(n) }}{% endmacro %}{{ get((), '__class__') }}`],
  ['map attribute', `{{ [()]|map(attribute='__class__')|list }}`],
  ['map attr filter', `{{ [()]|map('attr', '__class__')|list }}`],
  ['selectattr', `{{ [()]|selectattr('__class__')|list }}`],
  ['sort attribute path', `{{ [()]|sort(attribute='__class__.__name__') }}`],
  ['format string attribute field', `{{ '{0.__class__.__mro__}'.format(()) }}`],
  ['generator frame walk', `{{ (()|select|list).gi_frame.f_globals }}`],
  ['method call mro', `{{ ''.__class__.mro()[1] }}`],
  ['getattr via ns attribute name', `{{ x.f_back }}`],
  ['printf with a repeated format', `{{ x|attr(("%c"*9)%(95,95,99,108,97,115,115,95,95)) }}`],
  ['str.format with a reused index', `{{ x|attr("{0:c}{0:c}class{0:c}{0:c}".format(95)) }}`],
  ['join attribute argument', `{{ x|join(',', attribute='__class__') }}`],
  ['__getattribute__ method', `{{ x.__getattribute__('__class__') }}`],
  ['expressions in an unknown tag', `{% print(x.__class__) %}`],
  ['slice of a literal', `{{ x|attr("X__class__"[1:]) }}`],
  ['use before set', `{{ ()|attr(n) }}{% set n = '__class__' %}`],
  ['self-referencing set', `{% set x = '__cla' %}{% set x = x ~ 'ss__' %}{{ ()|attr(x) }}`],
];

for (const [name, src] of MALICIOUS) {
  test(`CVE-2024-34359 technique is malicious: ${name}`, () => {
    const k = kinds(src);
    assert.ok(k.includes('python-internals'), `${name}: ${JSON.stringify(analyse(src))}`);
  });
}

test('computed attribute names that cannot be folded are suspicious', () => {
  for (const src of [
    `{{ ()|attr(request.args.x) }}`,
    `{{ ()|attr(messages[0].content) }}`,
    `{{ ()[(lipsum|string)[0] ~ 'x'] }}`,
    `{{ ()|attr(x|string|list|first ~ 'y') }}`,
    `{{ [()]|map(filtername)|list }}`,
  ]) {
    const k = kinds(src);
    assert.ok(k.includes('dynamic-attribute'), `${src}: ${JSON.stringify(analyse(src))}`);
  }
});

test('private attributes, risky globals and template loading are suspicious', () => {
  assert.ok(kinds(`{{ foo._private }}`).includes('private-attribute'));
  assert.ok(kinds(`{{ lipsum() }}`).includes('dangerous-global'));
  assert.ok(kinds(`{% include '/etc/passwd' %}`).includes('template-loading'));
  assert.ok(kinds(`{% from 'x.j2' import y %}{{ y }}`).includes('template-loading'));
  assert.ok(kinds(`{% set s = '__globals__' %}{{ s }}`).includes('dunder-string'));
});

test('locally bound names shadow risky globals', () => {
  assert.deepEqual(kinds(`{% for self in messages %}{{ self.content }}{% endfor %}{% set config = 1 %}{{ config }}`), []);
});

test('data-driven subscripts are fine', () => {
  assert.deepEqual(kinds(`{% for k in tool.parameters %}{{ tool.parameters[k] }}{% endfor %}{{ messages[loop_index]['content'] }}`), []);
});

test('unparseable templates are reported, and a token scan still catches payloads', () => {
  const broken = analyse(`{{ x.__class__ }}{% if %}`);
  assert.ok(broken.some((i) => i.kind === 'unparseable'));
  assert.ok(broken.some((i) => i.kind === 'python-internals'));
  const unlexable = analyse(`{{ 'unterminated }} __globals__`);
  assert.ok(unlexable.some((i) => i.kind === 'unparseable'));
  assert.ok(unlexable.some((i) => i.kind === 'python-internals'));
});

test('comments and raw blocks are not code', () => {
  assert.deepEqual(kinds(`{# {{ x.__class__ }} #}{% raw %}{{ y.__class__ }}{% endraw %}ok`), []);
});

test('a closing delimiter inside a string does not end the tag', () => {
  assert.ok(kinds(`{{ '}}' ~ x.__class__ }}`).includes('python-internals'));
});

// Hostile templates' strings are read in one pass: each of these took quadratic time in the
// regular expression it replaced (a long run of `[` with no `]`, of the 0 flag with no conversion).
test('str.format field steps: a [ with no ] after it is skipped, and the steps after it still read', () => {
  assert.deepEqual(formatFieldAttributes('{0[__class__].__mro__[1]!r:>10}'), ['__class__', '__mro__', '1']);
  assert.deepEqual(formatFieldAttributes('{0..a[.b].[c}'), ['a', '.b']);
  assert.deepEqual(formatFieldAttributes(`{0${'['.repeat(200_000)}.__globals__}`), ['__globals__']);
  assert.deepEqual(formatFieldAttributes(`{${'['.repeat(200_000)}.\u0000}`), ['\u0000']);
  assert.ok(kinds(`{{ '{0${'['.repeat(4000)}.__globals__}'.format(x) }}`).includes('python-internals'));
});

test('printf specifiers: flags, width, a precision that needs digits, one conversion; a run of 0 flags with none is no specifier', () => {
  assert.equal(printf('%-3s|%3s|%.2d|%05c|%%', ['a', 'b', 7, 95]), 'a  |  b|7|    _|%');
  assert.equal(printf('%.s', ['a']), undefined);
  assert.equal(printf(`%${'0'.repeat(200_000)}`, []), undefined);
  assert.equal(printf(`%${'0'.repeat(200_000)}c`, [95]), '_');
  assert.equal(printf(`%${'0'.repeat(200_000)}3c`, [95]), '  _');
  // A width past the longest constant kept is an unknown result, not a gigabyte (nor a throw).
  assert.equal(printf('%999999999s', ['a']), undefined);
  assert.equal(printf('%4096s', ['a'])?.length, 4096);
  assert.equal(printf('%4097s', ['a']), undefined);
  assert.ok(kinds(`{{ ()|attr('%${'0'.repeat(4000)}c%c' % (95, 95) ~ 'class__') }}`).includes('python-internals'));
});

// The parser builds an operator chain in a loop, but the tree it makes nests as deep as the chain
// is long, and the analysis walks it recursively: each of these overflowed the stack (a
// RangeError out of the scanner) until every operator of a chain counted as a level.
test('an operator, postfix or filter chain deeper than the parser takes is unparseable, not a stack overflow', () => {
  const n = 50_000;
  for (const src of [
    `{{ ${Array(n).fill("'a'").join(' ~ ')} }}`,
    `{{ ${Array(n).fill('x').join(' + ')} }}`,
    `{{ ${Array(n).fill('x').join(' and ')} }}`,
    `{{ ${Array(n).fill('x').join(' < ')} }}`,
    `{{ ${Array(n).fill('2').join(' ** ')} }}`,
    `{{ x${'.a'.repeat(n)} }}`,
    `{{ x${'[0]'.repeat(n)} }}`,
    `{{ x${'()'.repeat(n)} }}`,
    `{{ x${'|lower'.repeat(n)} }}`,
    `{{ x ${'is defined and x '.repeat(n / 2)} }}`,
    `{{ ${'not '.repeat(n)}x }}`,
    `{{ ${'-'.repeat(n)}x }}`,
    `{% filter ${Array(n).fill('lower').join('|')} %}x{% endfilter %}`,
  ]) {
    const issues = analyse(`${src}{{ y.__class__ }}`);
    assert.ok(issues.some((i) => i.kind === 'unparseable' && i.detail.startsWith('expression nested too deeply')), `${src.slice(0, 40)}: ${JSON.stringify(issues)}`);
    assert.ok(issues.some((i) => i.kind === 'python-internals'), src.slice(0, 40));
  }
  // A chain as long as real templates write is read, and judged.
  assert.deepEqual(kinds(`{{ ${Array(150).fill("'a'").join(' ~ ')} ~ x.__class__ }}`), ['python-internals']);
});
