/**
 * The OPA conformance folders by scope (from the suite's README), the folders skipped as out
 * of scope for Airlock, and the cases excluded by name.
 */

/** Core language: every case must pass. */
export const CORE_FOLDERS: readonly string[] = [
  'assignments', 'baseandvirtualdocs', 'comparisonexpr', 'completedoc', 'compositebasedereference',
  'compositereferences', 'comprehensions', 'containskeyword', 'dataderef', 'defaultkeyword', 'disjunction',
  'elsekeyword', 'embeddedvirtualdoc', 'eqexpr', 'evaltermexpr', 'every', 'example', 'fix1863', 'functionerrors',
  'functions', 'helloworld', 'indexing', 'indirectreferences', 'inputvalues', 'keywordrefs', 'negation',
  'nestedreferences', 'partialdocconstants', 'partialiter', 'partialobjectdoc', 'partialsetdoc', 'planner-ir',
  'refheads', 'stringinterpolation', 'topdowndynamicdispatch', 'type', 'undos', 'varreferences', 'virtualdocs',
  'withkeyword', 'arithmetic', 'sets', 'logic_operators',
];

/** Builtin families the gateway needs: at least 95% must pass. */
export const GW_FOLDERS: readonly string[] = [
  'aggregates', 'strings', 'sprintf', 'replacen', 'trim', 'trimleft', 'trimprefix', 'trimright', 'trimspace',
  'trimsuffix', 'regexmatch', 'regexfind', 'regexfindallstringsubmatch', 'regexisvalid', 'regexreplace', 'regexsplit',
  'regexmatchtemplate', 'globmatch', 'globquotemeta', 'globsmatch', 'semvercompare', 'semverisvalid', 'time',
  'objectget', 'objectkeys', 'objectfilter', 'objectfilteridempotent', 'objectfilternonstringkey', 'objectremove',
  'objectremoveidempotent', 'objectremovenonstringkey', 'objectunion', 'objectunionn', 'subset', 'array',
  'intersection', 'union', 'walkbuiltin', 'reachable', 'jsonbuiltins', 'jsonfilter', 'jsonfilteridempotent',
  'jsonremove', 'jsonremoveidempotent', 'jsonpatch', 'typebuiltin', 'typenamebuiltin', 'casts', 'numbersrange',
  'numbersrangestep', 'units', 'base64builtins', 'base64urlbuiltins', 'hexbuiltins', 'urlbuiltins', 'uribuiltins',
  'netcidrcontains', 'netcidrcontainsmatches', 'netcidrexpand', 'netcidrintersects', 'netcidrisvalid', 'netcidrmerge',
];

/** Nice to have. */
export const LOW_FOLDERS: readonly string[] = [
  'jsonschema', 'cryptomd5', 'cryptosha1', 'cryptosha256', 'cryptohmacmd5', 'cryptohmacsha1', 'cryptohmacsha256',
  'cryptohmacsha512', 'cryptohmacequal', 'bitsand', 'bitsnegate', 'bitsor', 'bitsshiftleft', 'bitsshiftright',
  'bitsxor', 'uuid', 'regometadatachain', 'regometadatarule',
];

/** Out of scope for a package-policy gateway: skipped by folder. */
export const SKIPPED_FOLDERS: Readonly<Record<string, string>> = {
  invalidkeyerror: 'http.send (network I/O is not available to policies)',
  netlookupipaddr: 'DNS lookups (network I/O)',
  rand: 'randomness',
  graphql: 'GraphQL parsing is not a gateway builtin',
  'providers-aws': 'AWS request signing',
  rendertemplate: 'Go text/template rendering',
  regoparsemodule: 'parsing Rego modules from policies',
  cryptoparsersaprivatekeys: 'X.509 / key parsing',
  cryptox509parseandverifycertificates: 'X.509 certificates',
  cryptox509parsecertificaterequest: 'X.509 certificate requests',
  cryptox509parsecertificates: 'X.509 certificates',
  cryptox509parsekeypair: 'X.509 key pairs',
  cryptox509parsersaprivatekey: 'X.509 / RSA keys',
  jwtbuiltins: 'JWT',
  jwtdecodeverify: 'JWT',
  jwtencodesign: 'JWT',
  jwtencodesignheadererrors: 'JWT',
  jwtencodesignpayloaderrors: 'JWT',
  jwtencodesignraw: 'JWT',
  jwtverifyeddsa: 'JWT',
  jwtverifyhs256: 'JWT',
  jwtverifyhs384: 'JWT',
  jwtverifyhs512: 'JWT',
  jwtverifyrsa: 'JWT',
};

/** Individual cases excluded by note, with the reason. */
export const EXCLUDED_CASES: Readonly<Record<string, string>> = {
  'time/time caching': 'calls test.sleep, a builtin that exists only in OPA’s Go test package',
};

export type Scope = 'core' | 'gw' | 'low' | 'other';

export function scopeOf(folder: string): Scope {
  if (CORE_FOLDERS.includes(folder)) return 'core';
  if (GW_FOLDERS.includes(folder)) return 'gw';
  if (LOW_FOLDERS.includes(folder)) return 'low';
  return 'other';
}
