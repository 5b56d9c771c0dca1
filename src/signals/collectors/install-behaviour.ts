/**
 * `input.facts.install_behaviour`: the behaviour rules over the install hooks the npm adapter
 * reports — the manifest's `install_scripts` in the metadata phase, the tarball's own
 * (`tarball.install_scripts`, `tarball.has_binding_gyp`) in the artifact phase.
 */
import type { Json } from '../../storage/ports/index.ts';
import { npmInstallScriptFacts } from '../install-scripts/index.ts';
import { asJson, type FactsDoc, type SignalCollector } from './types.ts';

function scriptsOf(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, cmd] of Object.entries(v as { readonly [k: string]: Json })) if (typeof cmd === 'string') out[k] = cmd;
  return out;
}

function get(facts: FactsDoc, key: string): Json | undefined {
  return Object.hasOwn(facts, key) ? facts[key] : undefined;
}

export function installBehaviourCollector(): SignalCollector {
  return {
    id: 'signals.install_behaviour',
    async collect(subject, phase, facts) {
      if (subject.ecosystem !== 'npm') {
        return { install_behaviour: asJson(npmInstallScriptFacts({ manifest: {} })) };
      }
      const tarball = get(facts, 'tarball');
      const t = phase === 'artifact' && typeof tarball === 'object' && tarball !== null && !Array.isArray(tarball) ? (tarball as FactsDoc) : null;
      const scripts = t !== null ? scriptsOf(get(t, 'install_scripts')) : scriptsOf(get(facts, 'install_scripts'));
      const manifest = { scripts, hasInstallScript: get(facts, 'has_install_script') === true };
      return {
        install_behaviour: asJson(npmInstallScriptFacts({ manifest, hasBindingGyp: t !== null && get(t, 'has_binding_gyp') === true })),
      };
    },
  };
}
