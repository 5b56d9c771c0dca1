/**
 * The linear-time matcher (`re2-vm.ts`): the same answers as V8 on the patterns both can run
 * (random patterns over the RE2 syntax the translator accepts, on random inputs), RE2's own
 * answers where JavaScript's differ, and bounded work on the inputs that make a backtracking
 * matcher stall.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emitJs, parseRe2, sameOnV8 } from './re2.ts';
import { compileRe2Program, MAX_PROGRAM, Re2TooCostly } from './re2-vm.ts';
import { compileRe2 } from './regex.ts';
import { builtinErr, check, table } from './test-kit.ts';

function program(pattern: string) {
  return compileRe2Program(parseRe2(pattern), pattern);
}

/** A deterministic stream of small integers (the cases are the same in every run). */
function numbers(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x % n;
  };
}

const ATOMS = ['a', 'b', 'ab', '.', '\\d', '\\w', '\\W', '[ab]', '[^a]', '(?i)B', '^', '$', '(?m)^', '(?m)$', '\\b', '\\B', '\\Aa', 'b\\z', '😀', 'é', '(?s).', '\\n'];
const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?', '??', '{0,2}?'];
const INPUT_UNITS = ['a', 'b', 'a', 'b', '\n', '1', ' ', '😀', 'é', 'B'];

function randomPattern(next: (n: number) => number): string {
  const parts: string[] = [];
  for (let i = 0, n = 1 + next(4); i < n; i++) {
    let atom = ATOMS[next(ATOMS.length)] as string;
    const wrap = next(6);
    if (wrap === 0) atom = `(${atom})`;
    else if (wrap === 1) atom = `(?:${atom}|${ATOMS[next(ATOMS.length)] as string})`;
    else if (wrap === 2) atom = `(${atom}|${ATOMS[next(ATOMS.length)] as string})`;
    parts.push(atom + (QUANTIFIERS[next(QUANTIFIERS.length)] as string));
  }
  return parts.join(next(5) === 0 ? '|' : '');
}

function randomInput(next: (n: number) => number): string {
  let s = '';
  for (let i = 0, n = next(9); i < n; i++) s += INPUT_UNITS[next(INPUT_UNITS.length)] as string;
  return s;
}

test('re2 vm: finds what V8 finds, from every start, on 8,000 random patterns', () => {
  const next = numbers(20261125);
  let compared = 0;
  for (let p = 0; p < 8000; p++) {
    const pattern = randomPattern(next);
    let syntax;
    try {
      syntax = parseRe2(pattern);
    } catch {
      continue; // rejected by the parser (a nested repetition): nothing to run
    }
    const re = new RegExp(emitJs(syntax.node, syntax.unicode), 'g');
    const vm = compileRe2Program(syntax, pattern);
    // Where V8 and RE2 find different matches (see `sameOnV8`), only whether there is one is
    // compared; RE2's answers there are pinned below.
    const same = sameOnV8(syntax.node);
    for (let k = 0; k < 6; k++) {
      const input = randomInput(next);
      const where = `${JSON.stringify(pattern)} on ${JSON.stringify(input)}`;
      re.lastIndex = 0;
      // V8 (non-u) also looks between the halves of a surrogate pair, where `\B` holds; RE2
      // has no such position (nor has the VM).
      const midPair = pattern.includes('\\B') && /[\ud800-\udfff]/.test(input);
      if (!midPair) assert.equal(vm.test(input), re.test(input), `test: ${where}`);
      for (let from = 0; same && from <= input.length; from++) {
        re.lastIndex = from;
        const js = re.exec(input);
        if (js !== null && /[\ud800-\udbff]/.test(input[js.index - 1] ?? '') && /[\udc00-\udfff]/.test(input[js.index] ?? '')) continue;
        const got = vm.exec(input, from);
        assert.equal(got?.index ?? null, js?.index ?? null, `index from ${from}: ${where}`);
        assert.equal(got?.end ?? null, js === null ? null : js.index + js[0].length, `end from ${from}: ${where}`);
        if (js !== null && got !== null) assert.deepEqual(got.groups, Array.from(js), `groups from ${from}: ${where}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 50_000, `only ${compared} comparisons`);
});

test('re2 vm: leftmost-first priorities, as RE2 and Go', () => {
  const cases: [string, string, (string | undefined)[] | null][] = [
    ['a|ab', 'ab', ['a']],
    ['ab|a', 'ab', ['ab']],
    ['a+?', 'aaa', ['a']],
    ['a+', 'aaa', ['aaa']],
    ['a{2,4}?', 'aaaa', ['aa']],
    ['(a*)*', 'b', ['', '']],
    ['(|a)+', 'aa', ['', '']],
    ['(|a)*', 'aa', ['', '']],
    ['(?:^|[^a])+', '\n', ['']],
    ['(a*)?', 'b', ['', '']],
    ['(a|b)*c', 'abac', ['abac', 'a']],
    ['(a|(b))+', 'ba', ['ba', 'a', 'b']],
    ['x*', 'axxb', ['']],
    ['(?m)^b$', 'a\nb\nc', ['b']],
    ['(?m)a$', 'a\rb', null],
    ['(?m)^b', 'a\rb', null],
    ['\\bfoo\\b', 'a foo.', ['foo']],
    ['^$', '', ['']],
    ['😀+', 'x😀😀y', ['😀😀']],
  ];
  for (const [pattern, input, want] of cases) {
    const got = program(pattern).exec(input, 0);
    assert.deepEqual(got?.groups ?? null, want, `${pattern} on ${JSON.stringify(input)}`);
  }
});

test('re2 vm: hostile inputs take steps in proportion to their length', () => {
  const hostile = `${'a'.repeat(20_000)}!`;
  for (const pattern of ['^(a{1,20})+$', '^([a-z0-9]{1,63}-?)+$', '^(?:a|aa){1,100}$', '^(\\pL+)+$', '(a+)+(?m)$']) {
    assert.equal(program(pattern).test(hostile), false, pattern);
    assert.equal(program(pattern).exec(hostile, 0), null, pattern);
  }
});

test('re2 vm: a program past its size limit is "expression too large"', () => {
  // Valid in Go (1000 copies of the innermost group), 100,000 instructions here.
  assert.throws(() => program(`(?:${'a'.repeat(100)}){1000}`), /error parsing regexp: expression too large/);
  assert.ok(program('a{1000}').size < MAX_PROGRAM);
});

test('re2 vm: a small program runs over the longest input the builtins accept', () => {
  // 10,000,000 steps alone stopped `\pL` at 3.5 million characters, where Go answers.
  const digits = '1'.repeat(4 * 1024 * 1024);
  assert.equal(program('\\pL').test(digits), false);
  assert.equal(program('[a-z]{1,20}').exec(digits, 0), null);
});

test('re2 vm: a search past its step bound stops with Re2TooCostly', () => {
  const p = program('\\pL{1000}!');
  assert.throws(() => p.test('a'.repeat(100_000)), (e: unknown) => e instanceof Re2TooCostly && /more than \d+ steps/.test(e.message));
  // Small inputs are unaffected, and the program stays usable after a stop.
  assert.equal(p.test(`${'a'.repeat(1000)}!`), true);
});

test('regex: a pattern V8 refuses when it first runs it falls back to the linear-time matcher', () => {
  const pattern = `(?:${' '.repeat(40_000)})*x`;
  // V8 accepts the RegExp, and refuses it when it first runs it.
  assert.throws(() => new RegExp(emitJs(parseRe2(pattern).node, false), 'g').test('x'), /Regular expression too large/);
  const c = compileRe2(pattern);
  assert.equal(c.test('x'), true);
  assert.equal(c.test('y'), false);
  assert.deepEqual(c.exec('ab x', 0), { index: 3, end: 4, groups: ['x'] });
});

test('regex: programs built when V8 refuses patterns at their first run stay within the cache budget', () => {
  // Seven patterns of 40,000 instructions each once V8 refuses them: 280,000, past the 250,000
  // the cache may hold, so the oldest of them is dropped when the last one falls back.
  const patterns = Array.from('abcdefg', (c) => `(?:${' '.repeat(40_000)})*${c}`);
  const compiled = patterns.map((p) => compileRe2(p));
  for (const c of compiled) assert.equal(c.test('x'), false);
  assert.notEqual(compileRe2(patterns[0] as string), compiled[0]);
  assert.equal(compileRe2(patterns[6] as string), compiled[6]);
});

// End to end through the builtins: patterns V8 cannot finish in linear time run on the VM.
table('regex (linear-time matcher)', [
  ['regex.find_all_string_submatch_n("(a|(b))+", "ba", -1)', '[["ba","a","b"]]'],
  ['regex.find_n("(?:|a)+", "aa", -1)', '["","",""]'],
  ['regex.match("\\\\B", "a😀a")', 'false'],
  ['regex.find_n("\\\\B", "a😀a", -1)', '[]'],
  ['regex.match("(?m)^b", "a\\rb")', 'false'],
  ['regex.match("(?m)a$", "a\\rb")', 'false'],
  ['regex.match("(?m)a$", "a\\nb")', 'true'],
  ['regex.find_n("[a-z]{1,20}", "abc de", -1)', '["abc","de"]'],
  ['regex.replace("a-b", "(\\\\pL)", "<$1>")', '"<a>-<b>"'],
  ['regex.split("\\\\pZ+", "a b  c")', '["a","b","c"]'],
  ['regex.is_valid("(a{1000}){1000}")', 'false'],
  ['regex.match("\\\\pL{1000}!", concat("", [x | numbers.range(1, 100000)[_]; x := "a"]))', builtinErr('regex.match: matching this pattern against 100000 characters would take more than')],
  ['regex.match("(((a)))", "a")', 'true'],
]);

test('regex: a pattern nested past 1000 groups is refused as in Go', () => {
  check(`regex.is_valid("${'('.repeat(1001)}a${')'.repeat(1001)}")`, 'false');
  check(`regex.is_valid("${'('.repeat(1000)}a${')'.repeat(1000)}")`, 'true');
});

test('regex ReDoS: patterns past V8 linear-time engine finish on hostile input', { timeout: 30_000 }, () => {
  const hostile = `"${'a'.repeat(5000)}!"`;
  for (const pattern of ['^(a{1,20})+$', '^(\\pL+)+$', '^([a-z0-9]{1,63}-?)+$', '(a+)+(?m)$']) {
    check(`regex.match(${JSON.stringify(pattern)}, ${hostile})`, 'false');
  }
});
