/**
 * A 1,000-line policy for the compile-time benchmark: many packages' worth of typical rules
 * (sets, objects, functions, comprehensions, `every`, `with` in tests).
 */
export function thousandLinePolicy(): string {
  const out: string[] = ['package bench.big', '', 'import rego.v1', ''];
  let i = 0;
  while (out.length < 995) {
    out.push(
      `# block ${i}`,
      `limit_${i} := ${i * 10}`,
      `deny contains msg if {`,
      `\tsome v in input.facts.vulnerabilities`,
      `\tv.cvss > limit_${i} / 10`,
      `\tnot allowed_${i}(v.id)`,
      `\tmsg := sprintf("rule ${i}: %s", [v.id])`,
      `}`,
      `allowed_${i}(id) if id in {"CVE-${i}", "CVE-${i + 1}"}`,
      `names_${i} := {n | some f in input.facts.files; n := lower(f.path); startswith(n, "lib/${i}")}`,
      `by_sev_${i}[s] := c if {`,
      `\tsome s in ["low", "high"]`,
      `\tc := count([v | some v in input.facts.vulnerabilities; v.severity == s])`,
      `}`,
      `ok_${i} if every f in input.facts.files { f.size < ${1000 + i} }`,
      `test_block_${i} if not allowed_${i}("x") with input as {}`,
      '',
    );
    i++;
  }
  return out.join('\n');
}
