export { onnxAnalyzer as analyzer } from './analyzer.ts';
