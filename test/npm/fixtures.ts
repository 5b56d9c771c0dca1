/** Fixture packages and the test policy shared by the npm plugin tests. */
import type { FixturePackage } from '../support/npm-registry/index.ts';

/**
 * The test policy: `hide-me@2.0.0` and every `evil-*` package are denied; `held-*` packages are
 * quarantined; `scripted-*` packages whose tarball runs install scripts are quarantined in the
 * artifact phase only.
 */
export const NPM_TEST_POLICY = `package airlock

import rego.v1

deny contains {"id": "test.blocklist", "msg": sprintf("%s@%s is on the test blocklist", [input.artifact.name, input.artifact.version])} if {
	input.artifact.name == "hide-me"
	input.artifact.version == "2.0.0"
}

deny contains {"id": "test.evil", "msg": "known malicious test package"} if startswith(input.artifact.name, "evil-")

quarantine contains {"id": "test.held", "msg": "held for review by the test policy"} if startswith(input.artifact.name, "held-")

quarantine contains {"id": "test.scripts", "msg": "the tarball runs install scripts"} if {
	startswith(input.artifact.name, "scripted-")
	count(input.facts.tarball.install_scripts) > 0
}
`;

export const FIXTURE_PACKAGES: readonly FixturePackage[] = [
  { name: 'left-pad', versions: [{ version: '1.0.0' }, { version: '1.1.0' }, { version: '1.3.0', provenance: true }] },
  { name: '@acme/widget', versions: [{ version: '1.0.0' }, { version: '2.0.0', manifest: { dependencies: { 'left-pad': '^1.0.0' } } }] },
  { name: 'hide-me', versions: [{ version: '1.0.0' }, { version: '2.0.0' }] },
  { name: 'evil-pkg', versions: [{ version: '1.0.0' }] },
  { name: 'held-pkg', versions: [{ version: '1.0.0' }] },
  { name: 'scripted-pkg', versions: [{ version: '1.0.0', manifest: { scripts: { postinstall: 'node -e "1"' } } }] },
];


/**
 * Manifest confusion in the commands: the registry's manifest lists none, the package.json in the
 * tarball installs `hidden-cmd` (pnpm and yarn link it on a first install, npm once it reads the
 * installed package). The built-in policy holds it (`tarball.manifest_confusion`).
 */
export const HIDDEN_COMMAND_PACKAGE: FixturePackage = {
  name: 'quiet-tool',
  versions: [{ version: '1.0.0', packageJson: { bin: { 'hidden-cmd': 'cli.js' } }, files: [{ path: 'cli.js', content: '#!/usr/bin/env node\nconsole.log("ran")\n', mode: 0o755 }] }],
};
