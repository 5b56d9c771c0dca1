/**
 * `input.facts.install_behaviour`: the behaviour rules over the install hooks the adapters report
 * (PyPI's: `pypiFacts` below). npm's are the manifest's `install_scripts` in the metadata phase;
 * in the artifact phase the tarball's own (`tarball.install_scripts`, `tarball.has_binding_gyp`,
 * the bundled packages') plus the code those hooks run, read from the artifact and followed as
 * Node loads it (`node install.js` → `install.js` → what it requires; `install-scripts/hook-files.ts`).
 */
import { Semaphore, setMember } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import {
  analyseInstallHooks,
  DEFAULT_INSTALL_SCRIPT_LIMITS,
  installScriptFacts,
  npmInstallScriptFacts,
  planNpmHooks,
  readHookFiles,
  RuleBudget,
  type HookFiles,
  type InstallHook,
  type InstallScriptLimits,
} from '../install-scripts/index.ts';
import { asJson, factOf, type CollectorCandidate, type FactsDoc, type SignalCollector } from './types.ts';

function scriptsOf(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, cmd] of Object.entries(v as { readonly [k: string]: Json })) if (typeof cmd === 'string') setMember(out, k, cmd);
  return out;
}

/** `tarball.bundled_install_scripts`: folder → scripts of the packages bundled in the tarball. */
function bundledOf(v: Json | undefined): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [folder, scripts] of Object.entries(v as { readonly [k: string]: Json })) out.set(folder, scriptsOf(scripts));
  return out;
}

function tarballOf(c: CollectorCandidate): FactsDoc | null {
  const t = factOf(c.facts, 'tarball');
  return typeof t === 'object' && t !== null && !Array.isArray(t) ? (t as FactsDoc) : null;
}

/**
 * A Python distribution's install-time code, from the PyPI adapter's `tarball.install_scripts`:
 * an sdist's `setup.py` (its text; building the sdist runs it) and a wheel's executing `.pth`
 * lines (`startup:<path>`; they run at every interpreter start). Other entries (`build`: a build
 * backend the index serves and the gate judges as its own package) run no code of this package.
 * The metadata phase knows no code: whether a version has wheels is all the index says.
 */
async function pypiFacts(c: CollectorCandidate, t: FactsDoc | null, limits: InstallScriptLimits, budget: RuleBudget): Promise<Json> {
  const hooks: InstallHook[] = [];
  for (const [name, content] of Object.entries(scriptsOf(t === null ? undefined : factOf(t, 'install_scripts')))) {
    if (name === 'setup.py') hooks.push({ kind: 'pypi-setup-py', name, content });
    else if (name.startsWith('startup:')) hooks.push({ kind: 'pypi-pth', name: name.slice('startup:'.length), content });
  }
  const declared = factOf(c.facts, 'has_install_script') === true;
  return asJson(installScriptFacts({ hooks, nativeBuild: false, declaredInstallScript: declared }, await analyseInstallHooks(hooks, limits, budget)));
}

/**
 * Artifacts whose hook files are read at once: each read may hold up to 16 MiB of install code
 * (`DEFAULT_HOOK_FILE_LIMITS`), and an install judges many artifacts concurrently.
 */
const CONCURRENT_READS = 2;

async function artifactFacts(c: CollectorCandidate, t: FactsDoc, reads: Semaphore, limits: InstallScriptLimits, budget: RuleBudget): Promise<Json> {
  const manifest = { scripts: scriptsOf(factOf(t, 'install_scripts')), hasInstallScript: factOf(c.facts, 'has_install_script') === true };
  const input = { manifest, hasBindingGyp: factOf(t, 'has_binding_gyp') === true, bundled: bundledOf(factOf(t, 'bundled_install_scripts')), config: scriptsOf(factOf(t, 'script_config')) };
  const plan = planNpmHooks(input);
  const content = c.content;
  const readFiles = content?.readFiles;
  // The files the hooks run, and what those load, read from the artifact within its bounds.
  if (plan.starts.length === 0 || content === undefined || readFiles === undefined) return asJson(await npmInstallScriptFacts(plan, undefined, limits, budget));
  return reads.run(async () => {
    const files: HookFiles = await readHookFiles(plan.starts, readFiles, c.subject.name, content.size);
    return asJson(await npmInstallScriptFacts(plan, files, limits, budget));
  });
}

/** `limits`: the analysis's bounds, its CPU budget among them (by default `DEFAULT_INSTALL_SCRIPT_LIMITS`). */
export function installBehaviourCollector(limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS): SignalCollector {
  const reads = new Semaphore(CONCURRENT_READS);
  return {
    id: 'signals.install_behaviour',
    async collect(req) {
      const out: FactsDoc[] = [];
      // Versions of one package mostly share their scripts: analyse each distinct set once. An
      // adapter that interns its facts hands over one scripts object for all of them, so the
      // facts are found by that object first, and by its text only when it is a new one.
      const memo = new Map<string, FactsDoc>();
      const byValue = [new Map<Json | undefined, FactsDoc>(), new Map<Json | undefined, FactsDoc>()] as const;
      // One budget for the rules over everything this pass judges (a package's versions, or an artifact).
      const budget = new RuleBudget(limits.maxCpuMs);
      for (const c of req.candidates) {
        if (c.subject.ecosystem === 'pypi') {
          out.push({ install_behaviour: await pypiFacts(c, req.phase === 'artifact' ? tarballOf(c) : null, limits, budget) });
          continue;
        }
        if (c.subject.ecosystem !== 'npm') {
          out.push({ install_behaviour: asJson(await npmInstallScriptFacts({ manifest: {} })) });
          continue;
        }
        const t = req.phase === 'artifact' ? tarballOf(c) : null;
        if (t !== null) {
          out.push({ install_behaviour: await artifactFacts(c, t, reads, limits, budget) });
          continue;
        }
        const raw = factOf(c.facts, 'install_scripts');
        const declared = factOf(c.facts, 'has_install_script') === true;
        const seen = byValue[declared ? 1 : 0];
        let doc = seen.get(raw);
        if (doc === undefined) {
          const scripts = scriptsOf(raw);
          const key = `${declared ? 1 : 0}${JSON.stringify(scripts)}`;
          doc = memo.get(key);
          if (doc === undefined) {
            doc = { install_behaviour: asJson(await npmInstallScriptFacts({ manifest: { scripts, hasInstallScript: declared } }, undefined, limits, budget)) };
            memo.set(key, doc);
          }
          seen.set(raw, doc);
        }
        out.push(doc);
      }
      return out;
    },
  };
}
