/**
 * OPA builtins Airlock deliberately does not provide (JWT, X.509, GraphQL, AWS signing,
 * template rendering, randomness, module parsing). They are declared so that policies written
 * for OPA compile — and can mock them with `with` in tests — but calling one halts evaluation
 * with a clear error (in strict and non-strict mode alike), so nothing fails open.
 */
import type { BuiltinDecl, BuiltinTable, TypeSpec } from '../builtins/types.ts';

export class UnavailableBuiltin extends Error {
  constructor(name: string) {
    super(`${name}: not available in Airlock (out of scope for a package-policy gateway)`);
    this.name = 'UnavailableBuiltin';
  }
}

const SPECS: readonly (readonly [string, number])[] = [
  ['io.jwt.decode', 1],
  ['io.jwt.decode_verify', 2],
  ['io.jwt.encode_sign', 3],
  ['io.jwt.encode_sign_raw', 3],
  ...['es256', 'es384', 'es512', 'hs256', 'hs384', 'hs512', 'ps256', 'ps384', 'ps512', 'rs256', 'rs384', 'rs512', 'eddsa'].map(
    (a) => [`io.jwt.verify_${a}`, 2] as const,
  ),
  ['crypto.x509.parse_certificates', 1],
  ['crypto.x509.parse_and_verify_certificates', 1],
  ['crypto.x509.parse_and_verify_certificates_with_options', 2],
  ['crypto.x509.parse_certificate_request', 1],
  ['crypto.x509.parse_keypair', 2],
  ['crypto.x509.parse_rsa_private_key', 1],
  ['crypto.parse_private_keys', 1],
  ['graphql.parse', 2],
  ['graphql.parse_and_verify', 2],
  ['graphql.parse_query', 1],
  ['graphql.parse_schema', 1],
  ['graphql.is_valid', 2],
  ['graphql.schema_is_valid', 1],
  ['providers.aws.sign_req', 3],
  ['rand.intn', 2],
  ['strings.render_template', 2],
  ['rego.parse_module', 2],
];

export const UNAVAILABLE_BUILTINS: readonly BuiltinDecl[] = SPECS.map(([name, arity]) => ({
  kind: 'function',
  name,
  args: new Array<TypeSpec>(arity).fill('any'),
  result: 'any',
  impl: () => {
    throw new UnavailableBuiltin(name);
  },
}));

/** `table` plus the unavailable declarations it does not define. */
export function withUnavailable(table: BuiltinTable): BuiltinTable {
  const out = new Map(table);
  for (const d of UNAVAILABLE_BUILTINS) if (!out.has(d.name)) out.set(d.name, d);
  return out;
}
