export { hdf5Analyzer as analyzer } from './analyzer.ts';
