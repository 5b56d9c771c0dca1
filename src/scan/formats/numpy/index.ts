export { numpyAnalyzer as analyzer } from './analyzer.ts';
