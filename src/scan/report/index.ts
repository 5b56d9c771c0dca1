export { renderText } from './text.ts';
export { renderJson, toJsonReport, type JsonReport } from './json.ts';
export { renderSarif, toSarif } from './sarif.ts';
