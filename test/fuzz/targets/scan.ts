/**
 * Fuzz targets of the content scanner: every committed fixture of a format, corrupted and
 * scanned through the public entry point (`scanBytes`, identification and nested members
 * included), and Python distributions through `inspectPythonDist`. The scanner's contract is a
 * verdict, never an exception: a parse failure is an `invalid` or `unscannable` finding. A
 * "scanner error" finding (an exception that escaped an analyzer, which the engine turns into a
 * generic `scan.error`) is a defect, and so is a file cut short that still comes back `safe`
 * (fail-open). The single-format analyzers are also called directly on every input, so the
 * inputs whose magic a mutation broke (which identification routes elsewhere) still reach them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scanBytes } from '../../../src/scan/index.ts';
import { inspectPythonDist } from '../../../src/scan/packages/python-dist.ts';
import { MemorySource } from '../../../src/scan/sources/memory-source.ts';
import { buildTar, buildTarGz, buildZip } from '../../../src/scan/packages/test-archives.ts';
import type { FormatAnalyzer } from '../../../src/scan/types.ts';
import { analyzer as gguf } from '../../../src/scan/formats/gguf/index.ts';
import { analyzer as hdf5 } from '../../../src/scan/formats/hdf5/index.ts';
import { analyzer as keras } from '../../../src/scan/formats/keras/index.ts';
import { analyzer as numpy } from '../../../src/scan/formats/numpy/index.ts';
import { analyzer as onnx } from '../../../src/scan/formats/onnx/index.ts';
import { analyzer as safetensors } from '../../../src/scan/formats/safetensors/index.ts';
import { analyzer as tensorflow } from '../../../src/scan/formats/tensorflow/index.ts';
import { runAnalyzer } from '../../../src/scan/formats/common/testing.ts';
import type { FuzzTarget } from '../../support/fuzz/target.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/scan');

function fixtures(dir: string): Uint8Array[] {
  return readdirSync(join(ROOT, dir))
    .sort()
    .filter((n) => n !== 'expected.json' && statSync(join(ROOT, dir, n)).isFile())
    .map((n) => new Uint8Array(readFileSync(join(ROOT, dir, n))));
}

const isPrefix = (input: Uint8Array, of: Uint8Array): boolean =>
  input.length < of.length && Buffer.compare(Buffer.from(input.buffer, input.byteOffset, input.length), Buffer.from(of.buffer, of.byteOffset, input.length)) === 0;

/**
 * `dir`'s fixtures scanned as `name`; `truncationFailsClosed`: a prefix of a fixture (of this
 * input) must not scan clean; `analyzer`: the format's analyzer, which must not throw either
 * when called directly (its errors become findings at its own boundary).
 */
function scanTarget(dir: string, name: string, truncationFailsClosed: boolean | ((input: Uint8Array) => boolean), analyzer?: FormatAnalyzer): FuzzTarget {
  let seeds: Uint8Array[] = [];
  return {
    seeds: () => (seeds = fixtures(dir)),
    run: async (input) => {
      const r = await scanBytes(input, name);
      const crash = r.findings.find((f) => f.rule === 'scan.error');
      if (crash !== undefined) return `an exception escaped the analyzer and became a finding: ${crash.message}`;
      if (analyzer !== undefined) {
        try {
          await runAnalyzer(analyzer, input);
        } catch (err) {
          return `the ${analyzer.format} analyzer, called directly, threw ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 6).join('\n') : String(err)}`;
        }
      }
      const closed = typeof truncationFailsClosed === 'function' ? truncationFailsClosed(input) : truncationFailsClosed;
      if (closed && input.length > 0 && r.verdict === 'safe' && seeds.some((s) => isPrefix(input, s))) {
        return `a truncated ${dir} file scanned safe (format ${r.format}): fail-open`;
      }
      return undefined;
    },
    accepts: () => false,
  };
}

const METADATA = 'Metadata-Version: 2.1\r\nName: demo\r\nVersion: 1.2.3\r\nSummary: a demo\r\nRequires-Dist: requests>=2\r\n\r\nbody\r\n';
const wheel = (): Buffer =>
  buildZip([
    { name: 'demo/__init__.py', data: 'print("hi")\n' },
    { name: 'demo/_speedups.so', data: '\x7fELF', method: 'store' },
    { name: 'demo-1.2.3.dist-info/METADATA', data: METADATA },
    { name: 'demo-1.2.3.dist-info/entry_points.txt', data: '[console_scripts]\ndemo = demo.cli:main\n' },
    { name: 'demo-hook.pth', data: 'import os; os.system("id")\n' },
    { name: 'demo-1.2.3.data/scripts/demo-tool', data: '#!python\nprint(1)\n' },
  ]);
const SDIST = [
  { name: 'demo-1.2.3/PKG-INFO', data: METADATA },
  { name: 'demo-1.2.3/setup.py', data: 'from setuptools import setup\nsetup()\n' },
  { name: 'demo-1.2.3/pyproject.toml', data: '[build-system]\nbuild-backend = "setuptools.build_meta"\n' },
  { name: 'demo-1.2.3/link', type: '2', linkname: '../../etc/passwd' },
];

function distTarget(kind: 'wheel' | 'sdist', seeds: () => Uint8Array[]): FuzzTarget {
  return {
    seeds,
    run: async (input) => {
      const r = await inspectPythonDist(new MemorySource(input), kind);
      // A distribution whose core metadata was lost to corruption must say why.
      if (r.metadata === null && r.problem === null) return 'no metadata and no problem reported: fail-open';
      return undefined;
    },
    accepts: () => false,
  };
}

export const targets: Record<string, FuzzTarget> = {
  // A prefix that holds a STOP byte may be a whole pickle; one without any cannot be.
  pickle: scanTarget('pickle', 'model.pkl', (input) => !input.includes(0x2e)),
  // pickle-then-zip.pkl is a whole pickle first: only prefixes of real zips must fail closed.
  zip: scanTarget('zip', 'model.zip', (input) => input[0] === 0x50),
  archives: scanTarget('archives', 'model.bin', false),
  pytorch: scanTarget('pytorch', 'model.pt', true),
  joblib: scanTarget('joblib', 'model.joblib', false),
  safetensors: scanTarget('safetensors', 'model.safetensors', true, safetensors),
  gguf: scanTarget('gguf', 'model.gguf', false, gguf),
  keras: scanTarget('keras', 'config.json', false, keras),
  onnx: scanTarget('onnx', 'model.onnx', false, onnx),
  numpy: scanTarget('numpy', 'model.npy', true, numpy),
  hdf5: scanTarget('hdf5', 'model.h5', false, hdf5),
  tensorflow: scanTarget('tensorflow', 'saved_model.pb', false, tensorflow),
  wheel: distTarget('wheel', () => [wheel()]),
  sdist: distTarget('sdist', () => [buildTarGz(SDIST), buildTar(SDIST), buildZip(SDIST.slice(0, 3))]),
};
