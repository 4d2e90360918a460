// A rollup plugin that gives the private members (`_name`) of dist/esm and dist/cjs short names,
// as terser already does for the <script> bundles: an app's bundler keeps property names as they
// are, so without it every app that imports resock from npm carries the long ones.
//
// Only those names change: no compression, no whitespace removed (the app's bundler minifies the
// rest), and the sourcemap follows. ONE table serves every module of every build of the config,
// because a member defined in one module is used in others (`host._o` in stomp/session is
// StompClient's `_o`). Names starting with `__` (`__proto__`) are never touched. A chunk that
// holds an excluded module (src/server: it reads sockjs-node's `_session`) is left as it is.
// test/compat/private-names.test.mjs checks that no `_` member in src/ belongs to a platform or
// foreign object; such a name would go in `reserved`.
import { encode } from '@jridgewell/sourcemap-codec';

const PRIVATE = /^_(?!_)[\w$]*$/;

/** The table shared by every build: `counts` from the modules parsed first, then `names`. */
export function privateNameTable({ reserved = [] } = {}) {
  return { counts: new Map(), names: null, reserved: new Set(reserved), next: 0 };
}

/**
 * The identifiers in property position of an ESTree program that name a private member:
 * `a._x`, `{ _x: v }`, `{ _x }`, `const { _x } = a`, `_x() {}` in a class, `_x = 1` as a class field.
 * Calls `found(node, shorthand)` with the Identifier node.
 */
export function visitPrivateNames(ast, found) {
  const stack = [ast];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node.type !== 'string') continue;
    let key = null;
    if (node.type === 'MemberExpression' && !node.computed) key = node.property;
    else if ((node.type === 'Property' || node.type === 'MethodDefinition' || node.type === 'PropertyDefinition') && !node.computed) key = node.key;
    if (key && key.type === 'Identifier' && PRIVATE.test(key.name)) {
      if (node.type === 'MemberExpression' && node.object.type === 'Identifier' && (node.object.name === 'exports' || node.object.name === 'module')) {
        throw new Error(`private-names: an export named ${key.name} would be renamed`);
      }
      found(key, node.type === 'Property' && node.shorthand);
    }
    for (const field in node) {
      if (field === 'type' || field === 'start' || field === 'end') continue;
      const value = node[field];
      if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i -= 1) stack.push(value[i]);
      else if (value && typeof value === 'object') stack.push(value);
    }
  }
}

// `_a` … `_Z`, `_$`, then `_aa`…: a name that keeps its underscore, so that it still reads as
// private and cannot meet a public member of the same object (or of a subclass an app writes).
const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$';
const REST = `${FIRST}0123456789`;
function shortName(index) {
  let name = FIRST[index % FIRST.length];
  for (let rest = Math.floor(index / FIRST.length); rest > 0; rest = Math.floor((rest - 1) / REST.length)) {
    name += REST[(rest - 1) % REST.length];
  }
  return `_${name}`;
}

/** The short name of `name`, given once: the most used names, counted in the first build, get the shortest. */
function shortNameOf(table, name) {
  if (!table.names) {
    table.names = new Map();
    const byUse = [...table.counts].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1));
    for (const [original] of byUse) shortNameOf(table, original);
  }
  let short = table.names.get(name);
  if (short === undefined) {
    do short = shortName(table.next++);
    while (table.reserved.has(short));
    table.names.set(name, short);
  }
  return short;
}

/**
 * The code with `edits` (`{ start, end, text }`, in order, not overlapping) applied, and a
 * sourcemap from the new code to the old: a segment at every token, the edited ones at their start.
 */
function applyEdits(code, edits) {
  let out = '';
  let at = 0;
  const spans = []; // { oldStart, newStart, newEnd, shift }: where each edit went
  for (const { start, end, text } of edits) {
    out += code.slice(at, start);
    const newStart = out.length;
    out += text;
    spans.push({ oldStart: start, newStart, newEnd: out.length, shift: out.length - end });
    at = end;
  }
  out += code.slice(at);

  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let oldLine = 0;
  let span = 0;
  let shift = 0; // new index − old index after the last edit passed
  let newLineStart = 0;
  const mappings = out.split('\n').map((line) => {
    const segments = [];
    const token = /[\w$]+|\s+|[^\w$\s]/g;
    for (let match; (match = token.exec(line)); ) {
      const newIndex = newLineStart + match.index;
      while (span < spans.length && spans[span].newEnd <= newIndex) shift = spans[span++].shift;
      // Inside an edit (`_a: _x` for `{ _x }`), every token maps to the name it replaced.
      const inside = span < spans.length && spans[span].newStart <= newIndex;
      const oldIndex = inside ? spans[span].oldStart : newIndex - shift;
      while (oldLine + 1 < lineStarts.length && lineStarts[oldLine + 1] <= oldIndex) oldLine += 1;
      segments.push([match.index, 0, oldLine, oldIndex - lineStarts[oldLine]]);
    }
    newLineStart += line.length + 1;
    return segments;
  });
  return { code: out, map: { version: 3, sources: [''], names: [], mappings: encode(mappings) } };
}

/**
 * @param table from privateNameTable(), the same for every build of the config
 * @param exclude a chunk with a module whose id matches is left as it is
 */
export function renamePrivateMembers(table, { exclude }) {
  return {
    name: 'rename-private-members',
    moduleParsed(info) {
      if (table.names || !info.ast || exclude.test(info.id)) return;
      visitPrivateNames(info.ast, (key) => table.counts.set(key.name, (table.counts.get(key.name) || 0) + 1));
    },
    renderChunk(code, chunk) {
      if (chunk.moduleIds.some((id) => exclude.test(id))) return null;
      const edits = [];
      visitPrivateNames(this.parse(code), (key, shorthand) => {
        if (code.slice(key.start, key.end) !== key.name) throw new Error(`private-names: ${key.name} is not at ${key.start} in ${chunk.fileName}`);
        const short = shortNameOf(table, key.name);
        edits.push({ start: key.start, end: key.end, text: shorthand ? `${short}: ${key.name}` : short });
      });
      if (!edits.length) return null;
      edits.sort((a, b) => a.start - b.start);
      return applyEdits(code, edits);
    },
  };
}
