export { jsonAnalyzer as analyzer } from './analyzer.ts';
export { analyzeKerasConfig } from './config.ts';
export { analyzeKerasJsonText, parsePythonJson } from './json-config.ts';
