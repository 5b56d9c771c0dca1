/**
 * TorchScript archives carry their methods as source (`code/__torch__/….py`), compiled by
 * `torch.jit.load`; `__setstate__` methods run while the archive loads, `forward` on every call.
 * TorchScript cannot import Python, but it can call the operators registered in the process,
 * and some of those touch the filesystem (`aten::save` writes any file, `aten::from_file`
 * reads or, shared, maps one) or the network (`c10d` collectives); operators of other
 * namespaces need a native library. Those calls are what is judged here; the code is
 * tokenised so names inside string literals and comments do not count.
 */
import type { FindingClass } from '../../types.ts';

export interface TorchScriptIssue {
  readonly cls: FindingClass;
  readonly what: string;
  readonly detail: string;
  /** Inside a `__setstate__` method: runs while the archive loads. */
  readonly atLoad: boolean;
}

/** Operator namespaces PyTorch itself registers (see `torch._C._jit_get_all_schemas()`). */
const STANDARD_NAMESPACES = new Set([
  'aten', 'prim', 'prims', 'quantized', '_quantized', 'quantization', 'quantized_decomposed', 'sparse', 'mkldnn',
  'mkldnn_prepacked', 'prepacked', 'profiler', 'static_runtime', 'onnx', 'nvprims', '_test', 'torchvision', 'image',
]);

/** Source with string literals and comments blanked out (same length, newlines kept). */
export function codeOnly(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '#') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? src.length : e;
      out += ' '.repeat(end - i);
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) {
        if (src[j] === '\\') j++;
        else if (!triple && src[j] === '\n') break;
        j++;
      }
      const end = Math.min(src.length, j + q.length);
      out += src.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

const METHOD = /^ {2}def\s+([A-Za-z_]\w*)\s*\(/;

export function analyzeTorchScriptCode(source: string): TorchScriptIssue[] {
  const code = codeOnly(source);
  const issues: TorchScriptIssue[] = [];
  const seen = new Set<string>();
  let method = '';
  for (const line of code.split('\n')) {
    const m = METHOD.exec(line);
    if (m !== null) method = m[1] as string;
    const atLoad = method === '__setstate__';
    const add = (cls: FindingClass, what: string, detail: string): void => {
      const key = `${what}\n${detail}\n${atLoad}`;
      if (seen.has(key)) return;
      seen.add(key);
      issues.push({ cls, what, detail, atLoad });
    };
    for (const hit of line.matchAll(/\b(?:torch\s*\.\s*|ops\s*\.\s*aten\s*\.\s*)save\s*\(/g)) add('malicious', 'writes a file (aten::save)', hit[0]);
    for (const hit of line.matchAll(/\bfrom_file\s*\(/g)) add('malicious', 'reads or maps a file (aten::from_file)', hit[0]);
    for (const hit of line.matchAll(/\bops\s*\.\s*([A-Za-z_]\w*)\s*\./g)) {
      const ns = hit[1] as string;
      if (ns === 'c10d') add('malicious', 'talks to other processes over the network (c10d)', hit[0]);
      else if (!STANDARD_NAMESPACES.has(ns)) add('suspicious', `calls operators of the ${ns} namespace, which a native library must register`, hit[0]);
    }
    for (const hit of line.matchAll(/\btorch\s*\.\s*classes\s*\.\s*([A-Za-z_]\w*)/g)) {
      add('suspicious', `uses custom classes of the ${hit[1]} namespace, which a native library must register`, hit[0]);
    }
  }
  return issues;
}
