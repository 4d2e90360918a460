// Measures the rows of budgets.mjs: gzip -9 of a dist/ bundle, or what a Vite-built app gained
// by importing resock (installed from the packed tarball into `projectDir`, see
// test/compat/package.mjs), and where those bytes come from, module by module, read from the
// sourcemaps the way source-map-explorer does.
import { decode } from '@jridgewell/sourcemap-codec';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BASELINE_APP } from './budgets.mjs';

export const gzipSize = (text) => gzipSync(text, { level: 9 }).length;
const byteLength = (text) => Buffer.byteLength(text, 'utf8');

/** The row's entry points (`resock/core`) that the installed package does not export. */
export async function missingEntryPoints(row, projectDir) {
  const manifest = JSON.parse(await readFile(path.join(projectDir, 'node_modules/resock/package.json'), 'utf8'));
  const exported = Object.keys(manifest.exports ?? {});
  return (row.imports ?? []).filter((specifier) => !exported.includes(`.${specifier.slice('resock'.length)}`));
}

/**
 * Builds `source` as an app's main.js with Vite in production mode, in memory, from a folder of
 * its own inside `projectDir` (whose node_modules has resock). Resolves with the JavaScript
 * chunks: `[{ fileName, code, map }]`.
 */
export async function buildApp(projectDir, name, source) {
  const { build } = await import('vite');
  const dir = path.join(projectDir, 'size-apps', name);
  await mkdir(dir, { recursive: true });
  const main = path.join(dir, 'main.js');
  await writeFile(main, source);
  const result = await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    mode: 'production',
    build: { write: false, sourcemap: true, rollupOptions: { input: main } },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((bundle) => bundle.output);
  const chunks = outputs.filter((item) => item.type === 'chunk');
  return chunks.map((chunk) => ({ fileName: chunk.fileName, code: chunk.code, map: chunk.map }));
}

/** The JavaScript of an app's chunks as one text (an app that splits would load them all). */
const joined = (chunks) => chunks.map((chunk) => chunk.code).join('\n');

let baseline; // { projectDir, size: Promise<{ minified, gzip }> }: built once per project folder
/**
 * What a row costs: `{ minified, gzip, chunks? }`. For a `file` row, the file's own size; for an
 * `app` row, the app's JavaScript minus the baseline app's (the same app without resock).
 */
export async function measureRow(row, { repoRoot, projectDir }) {
  if (row.file) {
    const code = await readFile(path.join(repoRoot, row.file), 'utf8');
    const map = JSON.parse(await readFile(path.join(repoRoot, `${row.file}.map`), 'utf8').catch(() => 'null'));
    return { minified: byteLength(code), gzip: gzipSize(code), chunks: [{ fileName: row.file, code, map }] };
  }
  if (!baseline || baseline.projectDir !== projectDir) {
    baseline = { projectDir, size: buildApp(projectDir, 'baseline', BASELINE_APP).then((chunks) => sizeOf(joined(chunks))) };
  }
  const chunks = await buildApp(projectDir, slug(row.name), row.app);
  const app = sizeOf(joined(chunks));
  const empty = await baseline.size;
  return { minified: app.minified - empty.minified, gzip: app.gzip - empty.gzip, chunks };
}

const sizeOf = (code) => ({ minified: byteLength(code), gzip: gzipSize(code) });
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The module of src/ a sourcemap's source comes from, or null when it is not resock's:
 * `client/resock` for both `../src/client/resock.ts` (dist/*.min.js) and
 * `…/node_modules/resock/dist/esm/client/resock.js` (an app; dist/esm has one module per source file).
 */
export function resockModule(source) {
  const match = /(?:^|\/)(?:src|resock\/dist\/esm)\/(.*)\.(?:ts|js)$/.exec(source);
  return match ? match[1] : null;
}

/**
 * Where the bytes of generated code come from: each mapped segment of the sourcemap owns the
 * generated text up to the next segment on its line (source-map-explorer's accounting).
 * Resolves with `[{ module, resock, minified, gzip }]`, largest first: `minified` is exact, `gzip` an
 * estimate (gzip is not additive): the total gzip -9 split in proportion to the gzip -9 of each
 * module's own text, so that text that compresses well weighs less. Text no segment covers
 * (the bundle's wrapper, the bundler's runtime, line breaks) counts as "(no source)".
 */
export function bytesByModule(chunks) {
  const textByModule = new Map();
  const add = (module, text) => textByModule.set(module, (textByModule.get(module) ?? '') + text);
  for (const { code, map } of chunks) {
    if (!map) {
      add('(no sourcemap)', code);
      continue;
    }
    const lines = code.split('\n');
    const decoded = decode(map.mappings);
    lines.forEach((line, index) => {
      const segments = decoded[index] ?? [];
      let covered = 0;
      for (let i = 0; i < segments.length; i += 1) {
        const [column, sourceIndex] = segments[i];
        const end = i + 1 < segments.length ? segments[i + 1][0] : line.length;
        if (column > covered) add('(no source)', line.slice(covered, column));
        const source = sourceIndex === undefined ? undefined : map.sources[sourceIndex];
        const module = source === undefined ? '(no source)' : resockModule(source) ?? `(app) ${source.replace(/^(\.\.\/)+/, '')}`;
        add(module, line.slice(column, end));
        covered = Math.max(covered, end);
      }
      if (covered < line.length) add('(no source)', line.slice(covered));
      if (index < lines.length - 1) add('(no source)', '\n');
    });
  }
  const total = gzipSize(chunks.map((chunk) => chunk.code).join('\n'));
  const alone = [...textByModule].map(([module, text]) => ({ module, minified: byteLength(text), alone: gzipSize(text) }));
  const sumAlone = alone.reduce((sum, row) => sum + row.alone, 0);
  return alone
    .map(({ module, minified, alone: own }) => ({ module, resock: !module.startsWith('('), minified, gzip: Math.round((total * own) / sumAlone) }))
    .sort((a, b) => b.minified - a.minified);
}
