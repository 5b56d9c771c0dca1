/**
 * JSON documents, recognised by content (in any encoding Python's `json` accepts): Keras model
 * configs (`config.json` inside a `.keras` archive, `model.to_json()` output) get the Keras
 * analysis and the file is refined to format `keras`; tokenizer configs get their
 * `chat_template`(s) analysed for template injection. Other JSON yields no findings.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import type { JsonValue } from '../common/strict-json.ts';
import { isJsonObject } from '../common/strict-json.ts';
import { reportTemplate } from '../gguf/template-findings.ts';
import { analyzeKerasConfig } from './config.ts';
import { parsePythonJson } from './json-config.ts';
import { decodeJsonBytes, looksLikeJsonObject } from './json-text.ts';
import { hasAnyKey } from './json-keys.ts';

/** Keys that make a document worth a full parse: Keras object specs and chat templates. */
const KEYS_OF_INTEREST: ReadonlySet<string> = new Set(['class_name', 'module', 'registered_name', 'function_type', 'chat_template']);

function detect(head: Uint8Array): boolean {
  return looksLikeJsonObject(head);
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    if (source.size > ctx.limits.maxHeaderBytes) {
      report(ctx, 'json.limit', 'unscannable', `JSON document of ${source.size} bytes exceeds the ${ctx.limits.maxHeaderBytes}-byte limit`);
      return;
    }
    const bytes = await source.read(0, source.size);
    let text: string;
    try {
      text = decodeJsonBytes(bytes, true);
    } catch {
      report(ctx, 'json.encoding', 'invalid', 'document is not valid text in the encoding its first bytes announce');
      return;
    }
    // Documents without any key of interest cannot be Keras or tokenizer configs: no tree needed.
    if (!hasAnyKey(text, KEYS_OF_INTEREST)) return;
    const parsed = parsePythonJson(text, 'json.syntax');
    const keras = analyzeKerasConfig(ctx, parsed.value, { origin: 'JSON config', prefix: 'keras' });
    if (keras) {
      ctx.refineFormat('keras');
      if (parsed.duplicateKeys.length > 0) {
        report(ctx, 'keras.config.duplicate-key', 'suspicious', `config repeats keys (${parsed.duplicateKeys.join(', ')}): readers disagree on which value wins`, {
          keys: [...parsed.duplicateKeys],
        }, 'low');
      }
    }
    chatTemplates(ctx, parsed.value);
  });
}

/** `chat_template` as transformers stores it: a string, or a list of `{name, template}`. */
function chatTemplates(ctx: ScanContext, root: JsonValue): void {
  if (!isJsonObject(root)) return;
  const t = root.get('chat_template');
  if (typeof t === 'string') reportTemplate(ctx, 'json', 'chat_template', t, true);
  else if (Array.isArray(t)) {
    t.forEach((entry, i) => {
      if (!isJsonObject(entry)) return;
      const tpl = entry.get('template');
      const name = entry.get('name');
      if (typeof tpl === 'string') reportTemplate(ctx, 'json', `chat_template[${typeof name === 'string' ? name : i}]`, tpl, true);
    });
  }
}

export const jsonAnalyzer: FormatAnalyzer = { format: 'json', detect, analyze };
