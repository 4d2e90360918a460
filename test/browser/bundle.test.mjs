// The shipped browser code must run in any bundler and under a strict CSP: no Node globals
// (webpack 5, Vite and Angular do not provide them), no eval, no new Function. Runs in Node.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const NODE_GLOBALS = new Set(['global', 'process', 'Buffer', 'require']);

describe('the built browser bundles', function () {
  before(function () {
    assert.ok(existsSync(path.join(dist, 'resock.min.js')), 'dist/resock.min.js is missing: run npm run build');
  });

  const bundles = () => ['resock.min.js', ...listJsFiles(path.join(dist, 'esm')).map((file) => path.relative(dist, file))];

  it('refer to no Node global (global, process, Buffer, require)', function () {
    const found = bundles().flatMap((file) =>
      findIdentifierReferences(read(file), NODE_GLOBALS).map((hit) => `${file}:${hit.at}: ${hit.name}`),
    );
    assert.deepEqual(found, []);
  });

  it('use neither eval nor new Function', function () {
    const found = bundles().flatMap((file) => findDynamicCode(read(file)).map((hit) => `${file}:${hit.at}: ${hit.name}`));
    assert.deepEqual(found, []);
  });
});

function read(relative) {
  return readFileSync(path.join(dist, relative), 'utf8');
}

function listJsFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => path.join(folder, name));
}

/** Parses JavaScript, so that words inside strings, comments and regular expressions do not count. */
function parse(code) {
  return ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
}

function visit(node, onNode) {
  onNode(node);
  ts.forEachChild(node, (child) => visit(child, onNode));
}

function hitAt(source, node, name) {
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return { name, at: `${line + 1}:${character + 1}` };
}

/** Identifiers with these names used as variables: not as a property (`x.process`), a key or a member name. */
function findIdentifierReferences(code, names) {
  const source = parse(code);
  const hits = [];
  visit(source, (node) => {
    if (ts.isIdentifier(node) && names.has(node.text) && !isPropertyName(node)) hits.push(hitAt(source, node, node.text));
  });
  return hits;
}

function isPropertyName(identifier) {
  const { parent } = identifier;
  return (
    ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) || ts.isGetAccessorDeclaration(parent) || ts.isSetAccessorDeclaration(parent)) &&
      parent.name === identifier) ||
    (ts.isBindingElement(parent) && parent.propertyName === identifier)
  );
}

/** `eval(…)`, `new Function(…)` and `Function(…)`. */
function findDynamicCode(code) {
  const source = parse(code);
  const hits = [];
  visit(source, (node) => {
    const callee = ts.isCallExpression(node) || ts.isNewExpression(node) ? node.expression : undefined;
    if (!callee || !ts.isIdentifier(callee)) return;
    if (callee.text === 'eval' || callee.text === 'Function') hits.push(hitAt(source, node, `${callee.text}(`));
  });
  return hits;
}
