/**
 * Fuzz targets of what `airlock check` reads from a project a developer may have got from
 * someone else: npm's package-lock.json, pnpm-lock.yaml, yarn.lock (yarn 1 and 2+),
 * requirements.txt and package.json. Each refuses bad input with its own error (LockfileError,
 * RequirementsError, PackageJsonError); what it lists to check must be a registry package.
 */
import { LockfileError, parseLockfile, type LockfilePackages } from '../../../src/cli/commands/check/lockfile.ts';
import { parsePnpmLock, parseYarnLock } from '../../../src/cli/commands/check/other-lockfiles.ts';
import { parseRequirements, RequirementsError } from '../../../src/cli/commands/check/requirements.ts';
import { PackageJsonError, parsePackageJson } from '../../../src/cli/commands/check/package-json.ts';
import { parseNpmPackageName } from '../../../src/core/index.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const R = 'https://registry.example';

/** What a lockfile reader lists to check is a valid npm name at a semver version. */
function listedWrong(r: LockfilePackages): string | undefined {
  for (const p of r.packages) {
    if (!SEMVER_RE.test(p.version)) return `lists ${p.name} at ${JSON.stringify(p.version)}, not a version`;
    try {
      parseNpmPackageName(p.name);
    } catch {
      return `lists ${JSON.stringify(p.name)}, not a package name`;
    }
  }
  return undefined;
}

const PACKAGE_LOCK = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0', '@s/b': '2.0.0-rc.1' }, devDependencies: { alias: 'npm:@s/real@^3' } },
    'node_modules/a': { version: '1.0.0', resolved: `${R}/a/-/a-1.0.0.tgz`, integrity: 'sha512-AAAA', dependencies: { '@s/b': '^2.0.0-rc.1' } },
    'node_modules/@s/b': { version: '2.0.0-rc.1', resolved: `${R}/@s/b/-/b-2.0.0-rc.1.tgz`, integrity: 'sha512-BBBB', hasInstallScript: true },
    'node_modules/a/node_modules/@s/b': { version: '2.0.0-rc.1', resolved: `${R}/@s/b/-/b-2.0.0-rc.1.tgz`, inBundle: true },
    'node_modules/alias': { name: '@s/real', version: '3.1.4', resolved: `${R}/@s/real/-/real-3.1.4.tgz`, dev: true },
    'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@git.example/g.git#abc' },
    'node_modules/w': { resolved: 'packages/w', link: true },
    'packages/w': { version: '0.0.1' },
  },
});
const PACKAGE_LOCK_V1 = JSON.stringify({
  name: 'app',
  lockfileVersion: 1,
  dependencies: {
    a: { version: '1.0.0', resolved: `${R}/a/-/a-1.0.0.tgz`, requires: { b: '^2.0.0' }, dependencies: { b: { version: '2.0.0', resolved: `${R}/b/-/b-2.0.0.tgz` } } },
    v2alias: { version: 'npm:@s/other@1.2.3' },
  },
});

const packageLock: FuzzTarget = {
  seeds: () => [text(PACKAGE_LOCK), text(PACKAGE_LOCK_V1)],
  text: true,
  extra: () => [
    text(`{"lockfileVersion":1,"dependencies":${nested('{"a":{"version":"1.0.0","dependencies":', '}}', 50_000, '{}')}}`),
    text(`{"lockfileVersion":3,"packages":{${Array.from({ length: 50_000 }, (_, i) => `"node_modules/p${i}":{"version":"1.0.${i}"}`).join(',')}}}`),
    text(`{"lockfileVersion":3,"packages":{"node_modules/${'a/node_modules/'.repeat(20_000)}a":{"version":"1.0.0"}}}`),
  ],
  run: (input) => listedWrong(parseLockfile(asText(input))),
  accepts: ownError(LockfileError),
};

const PNPM_LOCK = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:
  .:
    dependencies:
      tiny-lib:
        specifier: ^1.0.0
        version: 1.0.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

packages:
  '@acme/dep@2.0.0':
    resolution: {integrity: sha512-abc}
    engines: {node: '>=18'}
  tiny-lib@1.0.0:
    resolution: {integrity: sha512-def}
    hasBin: true
  react-dom@18.2.0:
    resolution: {integrity: sha512-ghi}
    peerDependencies:
      react: ^18.2.0
  remote@1.2.3:
    resolution: {tarball: 'https://elsewhere.example/remote-1.2.3.tgz'}
  from-git@git+https://host/x.git#abc:
    resolution: {type: git, repo: 'https://host/x.git', commit: abc}
  local@file:../local:
    resolution: {directory: ../local, type: directory}

snapshots:
  tiny-lib@1.0.0: {}
  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0
`;
const PNPM_LOCK_V6 = `lockfileVersion: '6.0'
packages:
  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-x}
    dev: false
  /@babel/core@7.0.0:
    resolution: {integrity: sha512-y}
`;

const pnpmLock: FuzzTarget = {
  seeds: () => [text(PNPM_LOCK), text(PNPM_LOCK_V6)],
  text: true,
  extra: () => [
    text(`lockfileVersion: '9.0'\npackages: ${nested('[', ']', 100_000)}\n`),
    text(`lockfileVersion: '9.0'\npackages:\n${Array.from({ length: 5_000 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`),
    text('lockfileVersion: {toString: 1}\n'),
    text(`lockfileVersion: '9.0'\npackages:\n  ${nested('{', '}', 100_000)}\n`),
  ],
  run: (input) => listedWrong(parsePnpmLock(asText(input))),
  accepts: ownError(LockfileError),
};

const YARN_V1 = `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@acme/dep@^2.0.0", "@acme/dep@^2.0":
  version "2.0.0"
  resolved "${R}/@acme/dep/-/dep-2.0.0.tgz#e441"
  integrity sha512-TA==

tiny-lib@^1.0.0:
  version "1.0.0"
  resolved "${R}/tiny-lib/-/tiny-lib-1.0.0.tgz#e4d4"
  dependencies:
    "@acme/dep" "^2.0.0"

my-alias@npm:real-lib@^3:
  version "3.1.0"
  resolved "${R}/real-lib/-/real-lib-3.1.0.tgz"

"from-git@git+https://host/x.git":
  version "1.0.0"
  resolved "git+https://host/x.git#abc"
`;
const YARN_BERRY = `# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"tiny-lib@npm:^1.0.0":
  version: 1.0.0
  resolution: "tiny-lib@npm:1.0.0"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"@acme/dep@npm:^2.0.0, @acme/dep@npm:^2.0":
  version: 2.0.0
  resolution: "@acme/dep@npm:2.0.0"
  dependencies:
    tiny-lib: "npm:^1.0.0"

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
`;

const yarnLock: FuzzTarget = {
  seeds: () => [text(YARN_V1), text(YARN_BERRY)],
  text: true,
  extra: () => [
    text(`__metadata:\n  version: 8\na: ${nested('[', ']', 100_000)}\n`),
    text(`a@^1:\n  version "${'"'.repeat(100_000)}"\n`),
    text(`${'a@1,'.repeat(50_000)}a@1:\n  version "1.0.0"\n`),
    text(`${':'.repeat(100_000)} x\n`),
    text(`__metadata:\n  version: {toString: 1}\n`),
  ],
  run: (input) => listedWrong(parseYarnLock(asText(input))),
  accepts: ownError(LockfileError),
};

const A = 'a'.repeat(64);
const REQUIREMENTS = [
  '\uFEFF# This file is autogenerated by pip-compile with Python 3.12',
  '#    pip-compile --generate-hashes',
  '--index-url https://pypi.example/simple',
  '-r base.txt',
  '-e ./local',
  'Requests[socks, security]==2.31.0 ; python_version >= "3.8" \\',
  `    --hash=sha256:${A} \\`,
  `    --hash sha256:${A.toUpperCase()}`,
  '    # via -r requirements.in',
  'tomli==2.0.1 ; python_version < "3.11"  # a trailing comment',
  'zope.interface == 6.1',
  'Django>=4.2,<5.0',
  'numpy~=1.26.0',
  'flask',
  'pkg @ https://files.example/pkg-1.0.tar.gz',
  'git+https://git.example/repo.git#egg=repo',
  './wheels/local-1.0-py3-none-any.whl',
].join('\n');

const requirements: FuzzTarget = {
  seeds: () => [text(REQUIREMENTS)],
  text: true,
  extra: () => [
    text(`${'a'.repeat(200_000)}\r==1`),
    text(`a[${','.repeat(200_000)}]==1`),
    text(`a${'\\\n'.repeat(100_000)}==1`),
    text(`a==1 ${'--hash=sha256:ab '.repeat(1100)}`),
    text(`a${'(('.repeat(50_000)}`),
    text(`${'a.'.repeat(100_000)}!`),
  ],
  run: (input) => {
    const r = parseRequirements(asText(input));
    for (const q of r.requirements) if (q.canonical !== q.canonical.toLowerCase() || q.canonical === '') return `a requirement named ${JSON.stringify(q.canonical)}`;
    return undefined;
  },
  accepts: ownError(RequirementsError),
};

const PACKAGE_JSON = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  private: true,
  scripts: { build: 'tsc' },
  dependencies: { 'left-pad': '^1.3.0', '@acme/lib': '1.2.3', aliased: 'npm:@acme/real@^2', tagged: 'latest', remote: 'https://files.example/remote-1.0.0.tgz', gh: 'github:acme/repo#main', local: 'file:../local', ws: 'workspace:*' },
  optionalDependencies: { fsevents: '~2.3.0' },
  devDependencies: { typescript: '>=5.0.0 <6', '@types/node': '*', both: '1.x || 2.x' },
  peerDependencies: { react: '^18.0.0', vue: '3' },
  peerDependenciesMeta: { vue: { optional: true } },
});

const packageJson: FuzzTarget = {
  seeds: () => [text(PACKAGE_JSON)],
  text: true,
  extra: () => [
    text(`{"dependencies":{${Array.from({ length: 6000 }, (_, i) => `"p${i}":"1.0.0"`).join(',')}}}`),
    text(`{"dependencies":{"a":"${'>=1.0.0 '.repeat(100_000)}"}}`),
    text(`{"dependencies":{"a":"${'1.x || '.repeat(50_000)}1"}}`),
    text(`{"dependencies":${nested('{"a":', '}', 100_000, '1')}}`),
  ],
  run: (input) => {
    parsePackageJson(asText(input), { peers: true });
    return undefined;
  },
  accepts: ownError(PackageJsonError),
};

export const targets: Record<string, FuzzTarget> = {
  'package-lock': packageLock,
  'pnpm-lock': pnpmLock,
  'yarn-lock': yarnLock,
  requirements,
  'package-json': packageJson,
};
