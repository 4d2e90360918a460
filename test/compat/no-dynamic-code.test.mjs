// Everything shipped in dist/ (ESM, CJS, both IIFEs) must run under `script-src 'self'` with no
// 'unsafe-eval' or 'unsafe-inline': no eval, no Function constructor, no string timers, no HTML
// or inline script written into a document. (test/browser/bundle.test.mjs checks eval and
// new Function in resock.min.js and dist/esm; this covers every file and the inline-script paths.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const HTML_SINKS = new Set(['innerHTML', 'outerHTML', 'srcdoc', 'insertAdjacentHTML', 'write', 'writeln', 'createContextualFragment']);

function shippedScripts() {
  return readdirSync(dist, { recursive: true })
    .filter((name) => /\.(js|cjs|mjs)$/.test(name))
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

/** What in one file could need 'unsafe-eval' or 'unsafe-inline'. */
function findUnsafe(code) {
  const source = ts.createSourceFile('file.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const hits = [];
  const at = (node, what) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    hits.push(`${line + 1}:${character + 1} ${what}`);
  };
  const visit = (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (name === 'eval' || name === 'Function') at(node, `${name}(…)`);
      const [first] = node.arguments ?? [];
      if ((name === 'setTimeout' || name === 'setInterval') && first && (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first))) {
        at(node, `${name} with a string`);
      }
      // document.write, not any stream's write().
      const onDocument = ts.isPropertyAccessExpression(callee) && /document$/i.test(callee.expression.getText(source));
      if (HTML_SINKS.has(name) && ts.isPropertyAccessExpression(callee) && (onDocument || !name.startsWith('write'))) at(node, `${name}(…)`);
    }
    if (ts.isPropertyAccessExpression(node) && HTML_SINKS.has(node.name.text) && ts.isBinaryExpression(node.parent) && node.parent.left === node) {
      at(node, `.${node.name.text} =`);
    }
    if (ts.isStringLiteralLike(node) && /^\s*javascript:/i.test(node.text)) at(node, 'a javascript: URL');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

describe('dist/ needs neither unsafe-eval nor unsafe-inline', function () {
  this.timeout(30000); // parses every shipped file
  before(function () {
    assert.ok(existsSync(path.join(dist, 'resock.min.js')), 'dist/ is not built: run npm run build');
  });

  it('ships ESM, CJS and both IIFEs', function () {
    const files = shippedScripts();
    for (const file of ['resock.min.js', 'resock-stomp.min.js', 'cjs/index.cjs', 'cjs/stomp.cjs', 'esm/index.js', 'esm/stomp/index.js']) {
      assert.ok(files.includes(file), `${file} missing from dist/`);
    }
  });

  it('no eval, Function constructor, string timer, HTML sink or javascript: URL in any shipped file', function () {
    const found = shippedScripts().flatMap((file) => findUnsafe(readFileSync(path.join(dist, file), 'utf8')).map((hit) => `${file}:${hit}`));
    assert.deepEqual(found, []);
  });

  it('the checker itself finds each of those', function () {
    const hits = findUnsafe(
      [
        'eval("1")',
        'new Function("return 1")',
        'setTimeout("go()", 1)',
        'el.innerHTML = s',
        'frame.srcdoc = s',
        'frame.contentDocument.write(s)',
        'writer.write(s)', // not a sink: a stream
        'a.href = "javascript:void 0"',
      ].join(';\n'),
    );
    assert.equal(hits.length, 7, hits.join('\n'));
  });
});
