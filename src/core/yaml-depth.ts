/**
 * A linear pre-scan of YAML text for nesting deeper than a limit, run before the `yaml` reader,
 * which recurses once per level and takes hundreds of milliseconds to overflow its stack on a
 * hostile 100,000-deep document. It counts the collections open at each point: flow brackets
 * (`[`, `{`) opened where a node starts, outside quoted scalars, block scalars and comments, and
 * block collections by the columns of their `- `, `? ` and `key: ` indicators. The count is a
 * lower bound of the real depth (anything unsure — a plain scalar's continuation line, a bracket
 * inside a plain scalar, a quote that does not start a scalar — is not counted), so the scan
 * never refuses what the reader would accept within the limit; it only refuses early. Used for
 * policy data files and bundle hashing, and by Rego's `yaml.unmarshal` on strings from the input.
 */

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r';
const isBreak = (c: string | undefined): boolean => c === undefined || isSpace(c);
const isFlowIndicator = (c: string | undefined): boolean => c === ',' || c === '[' || c === ']' || c === '{' || c === '}';

/** The 1-based line where more than `limit` collections are open in `text`, or undefined. */
export function yamlDepthExceeded(text: string, limit: number): number | undefined {
  const block: number[] = []; // columns of the open block collections, increasing
  let flow = 0;
  let quote = ''; // the open quoted scalar's quote, across lines
  let blockScalarAbove: number | undefined; // a block scalar's content is indented more than this
  let plainAbove: number | undefined; // a multi-line plain scalar continues on lines indented more than this
  let nodeStart = true; // a node may start here (so a quote or bracket starts a scalar or collection)
  let jsonLike = false; // the last node was quoted or a flow collection (`"a":b` is a key in flow)
  let lineNo = 0;
  for (let at = 0; at <= text.length; ) {
    const eol = text.indexOf('\n', at);
    const end = eol === -1 ? text.length : eol;
    const line = text.slice(at, end);
    at = end + 1;
    lineNo++;
    let indent = 0;
    while (line[indent] === ' ') indent++;
    const rest = line.slice(indent);
    const blank = /^[ \t\r]*$/.test(rest) || (quote === '' && /^[ \t\r]*#/.test(rest));
    if (blockScalarAbove !== undefined) {
      if (blank || indent > blockScalarAbove) continue;
      blockScalarAbove = undefined;
    }
    let structural = false; // a line of block structure, where indicators open collections
    if (quote === '' && flow === 0) {
      if (blank) continue;
      if (plainAbove !== undefined && indent > plainAbove) {
        nodeStart = false;
      } else {
        plainAbove = undefined;
        structural = true;
        nodeStart = true;
        while (block.length > 0 && (block[block.length - 1] as number) >= indent) block.pop();
      }
    }
    let nodeCol = indent;
    let plain = false; // the line ends inside a plain scalar
    for (let i = quote === '' && flow === 0 ? indent : 0; i < line.length; i++) {
      const c = line[i];
      if (quote === "'") {
        if (c === "'") {
          if (line[i + 1] === "'") i++;
          else quote = '';
        }
        continue;
      }
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = '';
        continue;
      }
      if (isSpace(c)) continue;
      if (c === '#' && (i === 0 || isSpace(line[i - 1]))) break;
      const next = line[i + 1];
      if (nodeStart) {
        if (c === "'" || c === '"') {
          quote = c;
          nodeCol = i;
          nodeStart = false;
          plain = false;
          jsonLike = true;
          continue;
        }
        if (c === '[' || c === '{') {
          flow++;
          plain = false;
          if (block.length + flow > limit) return lineNo;
          continue;
        }
        if (c === '&' || c === '!') {
          // An anchor or tag: the node it belongs to starts after it.
          while (i + 1 < line.length && !isSpace(line[i + 1]) && !(flow > 0 && isFlowIndicator(line[i + 1]))) i++;
          continue;
        }
        if (flow === 0 && structural && (c === '-' || c === '?') && isBreak(next)) {
          if (i === 0 && c === '-' && line.startsWith('---') && isBreak(line[3])) {
            i += 2;
            continue;
          }
          block.push(i);
          plain = false;
          if (block.length + flow > limit) return lineNo;
          continue;
        }
        if (flow === 0 && (c === '|' || c === '>')) {
          blockScalarAbove = block.length > 0 ? (block[block.length - 1] as number) : -1;
          plain = false;
          break;
        }
        if (flow > 0 && c === '?' && isBreak(next)) continue;
        nodeCol = i;
        nodeStart = false;
      }
      if (flow > 0) {
        if (c === '[' || c === '{') {
          flow++;
          nodeStart = true;
          if (block.length + flow > limit) return lineNo;
        } else if (c === ']' || c === '}') {
          flow--;
          jsonLike = true;
          nodeStart = false;
        } else if (c === ',') {
          nodeStart = true;
          jsonLike = false;
        } else if (c === ':' && (isBreak(next) || isFlowIndicator(next) || jsonLike)) {
          nodeStart = true;
          jsonLike = false;
        } else {
          jsonLike = false;
        }
        continue;
      }
      if (c === ':' && isBreak(next)) {
        // A block mapping's key ends here; the mapping sits at the key's column.
        if (structural && (block.length === 0 || nodeCol > (block[block.length - 1] as number))) block.push(nodeCol);
        if (block.length + flow > limit) return lineNo;
        nodeStart = true;
        plain = false;
        continue;
      }
      plain = true;
    }
    if (quote === '' && flow === 0 && plain && plainAbove === undefined) plainAbove = block.length > 0 ? (block[block.length - 1] as number) : -1;
  }
  return undefined;
}
