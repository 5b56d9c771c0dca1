export { tensorflowAnalyzer as analyzer, tfKind } from './analyzer.ts';
