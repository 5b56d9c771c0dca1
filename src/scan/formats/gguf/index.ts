export { ggufAnalyzer as analyzer } from './analyzer.ts';
export { reportTemplate } from './template-findings.ts';
export { analyzeTemplate } from './jinja/analyze.ts';
