// The build renames private members (`_name`) in dist/esm and dist/cjs with one table
// (scripts/private-names.mjs), as terser does in the <script> bundles. That is safe only while
// every `_` name in the browser code is resock's own: a platform's or another library's `_field`
// renamed would be read as undefined. This checks it with the type checker, and that the built
// modules carry only short names, the same for one member everywhere, each mapped by the
// sourcemap to the name it replaced.
import { decode } from '@jridgewell/sourcemap-codec';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PRIVATE = /^_(?!_)[\w$]*$/;
// src/server reads sockjs-node's own `_session`: the build leaves it (and its bundle) as it is.
const isServer = (file) => /[\\/]src[\\/]server[\\/]|[\\/]dist[\\/]esm[\\/]server[\\/]|server\.cjs$/.test(file);
const ours = (declaration) => {
  const file = path.resolve(declaration.getSourceFile().fileName);
  return file.startsWith(path.join(root, 'src') + path.sep);
};

/** Every `_` name in property position in src/ (outside src/server) whose member is not declared in src/. */
function foreignPrivateNames() {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const problems = [];
  for (const source of program.getSourceFiles()) {
    if (!ours(source) || isServer(source.fileName)) continue;
    const report = (node, why) => {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      problems.push(`${path.relative(root, source.fileName)}:${line + 1}:${character + 1} ${node.getText(source)}: ${why}`);
    };
    /** The member `name` of `type`, when it has one: each of its declarations must be in src/. */
    const checkMember = (node, type, name) => {
      const member = type && checker.getPropertyOfType(checker.getApparentType(type), name);
      if (member && !(member.declarations ?? []).every(ours)) report(node, 'declared outside src/');
    };
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node) && PRIVATE.test(node.name.text)) {
        const symbol = checker.getSymbolAtLocation(node.name);
        if (!symbol) report(node, 'on an object of unknown type');
        else if (!(symbol.declarations ?? []).every(ours)) report(node, 'declared outside src/');
      }
      if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && PRIVATE.test(node.argumentExpression.text)) {
        report(node, 'a quoted private name is not renamed: use a dot');
      }
      const name = node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) ? node.name.text : undefined;
      if (name && PRIVATE.test(name)) {
        // An object literal handed to someone else's API: its contextual type says whose names they are.
        if (ts.isObjectLiteralElementLike(node) && ts.isObjectLiteralExpression(node.parent)) checkMember(node, checker.getContextualType(node.parent), name);
        // A class member that a platform base class (EventTarget…) might also have.
        if (ts.isClassElement(node) && node.parent && ts.isClassLike(node.parent)) {
          for (const clause of node.parent.heritageClauses ?? []) for (const base of clause.types) checkMember(node, checker.getTypeAtLocation(base), name);
        }
      }
      if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const key = node.propertyName ?? node.name;
        if (ts.isIdentifier(key) && PRIVATE.test(key.text)) checkMember(node, checker.getTypeAtLocation(node.parent), key.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return problems;
}

/** The source files a built file's sourcemap names. */
const sourcesOf = (file) => JSON.parse(readFileSync(`${file}.map`, 'utf8')).sources.map((source) => path.resolve(path.dirname(file), source));

const builtFiles = () =>
  [
    ...readdirSync(path.join(root, 'dist/esm'), { recursive: true }).filter((name) => name.endsWith('.js')).map((name) => path.join(root, 'dist/esm', name)),
    ...readdirSync(path.join(root, 'dist/cjs')).filter((name) => name.endsWith('.cjs')).map((name) => path.join(root, 'dist/cjs', name)),
  ].filter((file) => !isServer(file));

/** `[{ file, short, original }]`: each private name in property position of a built file, and the source text its sourcemap points at. */
function builtPrivateNames(file) {
  const code = readFileSync(file, 'utf8');
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  const mappings = decode(map.mappings);
  const sourceLines = sourcesOf(file).map((source) => readFileSync(source, 'utf8').split('\n'));
  const built = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const names = [];
  const visit = (node) => {
    const key = ts.isPropertyAccessExpression(node) ? node.name : ts.isClassElement(node) || ts.isObjectLiteralElementLike(node) || ts.isBindingElement(node) ? (node.propertyName ?? node.name) : undefined;
    if (key && ts.isIdentifier(key) && PRIVATE.test(key.text)) {
      const { line, character } = built.getLineAndCharacterOfPosition(key.getStart(built));
      // The segment at the name, or the last before it on its line.
      const segment = (mappings[line] ?? []).filter(([column]) => column <= character).at(-1);
      const original = segment && segment.length >= 4 ? /^[\w$]*/.exec(sourceLines[segment[1]][segment[2]]?.slice(segment[3]) ?? '')[0] : '(unmapped)';
      names.push({ file: path.relative(root, file), short: key.text, original });
    }
    ts.forEachChild(node, visit);
  };
  visit(built);
  return names;
}

describe('private member names: renamed in dist/esm and dist/cjs, and only resock\'s own', function () {
  this.timeout(60000);

  it('no `_` member in src/ (outside src/server) belongs to a platform or foreign object', () => {
    assert.deepEqual(foreignPrivateNames(), []);
  });

  it('the built modules carry short names, one per member across every module, each mapped to the name it replaced', () => {
    const files = builtFiles();
    assert.ok(files.length > 40, `dist/esm and dist/cjs are built (${files.length} files): run npm run build`);
    const originalOf = new Map();
    const shortOf = new Map();
    const problems = [];
    let renamed = 0;
    for (const file of files) {
      for (const { file: where, short, original } of builtPrivateNames(file)) {
        renamed += 1;
        if (short.length > 4) problems.push(`${where}: ${short} kept its long name`);
        if (!PRIVATE.test(original)) problems.push(`${where}: ${short} maps to '${original}', not to a private name`);
        else if ((originalOf.get(short) ?? original) !== original) problems.push(`${where}: ${short} is ${original} here, ${originalOf.get(short)} elsewhere`);
        else if ((shortOf.get(original) ?? short) !== short) problems.push(`${where}: ${original} is ${short} here, ${shortOf.get(original)} elsewhere`);
        originalOf.set(short, original);
        shortOf.set(original, short);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(renamed > 1000, `${renamed} private names found in the built modules`);
  });
});
