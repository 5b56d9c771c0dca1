export { safetensorsAnalyzer as analyzer } from './analyzer.ts';
export { validateHeader } from './header.ts';
