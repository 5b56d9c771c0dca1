/**
 * Fuzz target of the policy engine's regular expressions: an RE2 pattern (a policy's, or a
 * JSON schema's) parsed, compiled as the builtins compile it, and run on short inputs. It is
 * refused with RE2's own error (RegexSyntaxError) or runs; a search stops only with its own
 * error (Re2TooCostly). Where V8 runs the translated pattern too, the linear-time matcher must
 * agree with it on whether each input matches (ASCII inputs: no surrogate pairs to split).
 */
import { compileRe2 } from '../../../src/rego/builtins/regex.ts';
import { emitJs, parseRe2, RegexSyntaxError } from '../../../src/rego/builtins/re2.ts';
import { compileRe2Program, Re2TooCostly } from '../../../src/rego/builtins/re2-vm.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const SEEDS = [
  '^[a-z0-9-]{1,214}$',
  '^@?[a-z0-9-~][a-z0-9-._~]*/[a-z0-9-~][a-z0-9-._~]*$',
  '^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+._][0-9A-Za-z.+-]*)?$',
  '(?i)^(?P<scope>@[a-z]+)/(?P<name>\\w+)$',
  '(?m)^#\\s*(\\S+)\\s*$',
  '(?s)<script>.*?</script>',
  '\\p{Greek}+|\\PL{2,5}',
  '[[:alpha:]][[:^digit:]]*\\b',
  '\\Qa.b\\E+\\A\\z',
  'x{2,}?(a|b)*?c{0,3}',
  '[^\\x00-\\x1f\\x{1F600}]',
  '(?U)a+(?-U:b+)',
];

/** Short ASCII inputs: V8 backtracks on them without stalling, whatever the pattern. */
const INPUTS = ['', 'a', 'ab\nB1 ', 'aaaaaaa!', '@x/y_1', '1.2.3-b'];

const pattern: FuzzTarget = {
  seeds: () => SEEDS.map(text),
  text: true,
  extra: () => [text(nested('(', ')', 100_000, 'a')), text('(a{1000}){1000}'), text('((a{100}){100}){100}'), text(`${'a?'.repeat(300)}${'a'.repeat(300)}`)],
  run(input) {
    const p = asText(input);
    const c = compileRe2(p);
    for (const s of INPUTS) {
      const found = c.test(s);
      const m = c.exec(s, 0);
      if (found !== (m !== null)) return `test says ${found} but exec says ${m === null ? 'no match' : 'a match'} for ${JSON.stringify(s)}`;
      if (m !== null && (m.index < 0 || m.end < m.index || m.end > s.length || m.groups[0] !== s.slice(m.index, m.end))) {
        return `match ${m.index}..${m.end} is not a span of ${JSON.stringify(s)}`;
      }
    }
    const syntax = parseRe2(p);
    const vm = compileRe2Program(syntax, p);
    const re = new RegExp(emitJs(syntax.node, syntax.unicode), syntax.unicode ? 'u' : '');
    for (const s of INPUTS) {
      let v8: boolean;
      try {
        v8 = re.test(s);
      } catch (e) {
        if (e instanceof SyntaxError) return undefined; // too large for V8 to compile: nothing to compare with
        throw e;
      }
      if (vm.test(s) !== v8) return `the linear-time matcher says ${vm.test(s)}, V8 ${v8}, for ${JSON.stringify(s)}`;
    }
    return undefined;
  },
  accepts: ownError(RegexSyntaxError, Re2TooCostly),
};

export const targets: Record<string, FuzzTarget> = { 're2-pattern': pattern };
