// npm run size [-- --readme]
//
// Where the bytes go: for each row of test/size/budgets.mjs that can be built today (the dist/
// <script> bundles, and the Vite-built apps that import resock from the packed tarball), the
// bytes of each source module in the minified output, from the sourcemaps (see bytesByModule in
// test/size/measure.mjs), with an estimate of its gzip share. Needs `npm run build` first.
// Prints a markdown table; `--readme` also writes it into bench/README.md.
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/compat/file-server.mjs';
import { consumerProject, removePack } from '../test/compat/package.mjs';
import { SIZE_ROWS } from '../test/size/budgets.mjs';
import { bytesByModule, measureRow, missingEntryPoints } from '../test/size/measure.mjs';
import { replaceReadmeSection } from './readme-section.mjs';

const README_START = '<!-- size:breakdown:start -->';
const README_END = '<!-- size:breakdown:end -->';
const bytes = (n) => n.toLocaleString('en');

/** Measures every row that its entry points allow: `[{ row, size, modules }]` plus the pending rows. */
async function measureAll() {
  const project = await consumerProject();
  try {
    const measured = [];
    const pending = [];
    for (const row of SIZE_ROWS) {
      const missing = await missingEntryPoints(row, project.dir);
      if (missing.length > 0) {
        pending.push({ row, missing });
        continue;
      }
      const size = await measureRow(row, { repoRoot, projectDir: project.dir });
      measured.push({ row, size, modules: bytesByModule(size.chunks) });
    }
    return { measured, pending };
  } finally {
    await project.remove();
    await removePack();
  }
}

/** One markdown table: a line per module, a column per row (gzip estimate, minified in brackets). */
function report({ measured, pending }) {
  const lines = [];
  lines.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, gzip -9; \`npm run size\` to measure again.`, '');
  lines.push('| row | gzip -9 | budget | target |', '|---|---:|---:|---:|');
  for (const { row, size } of measured) {
    lines.push(`| ${row.name} | ${bytes(size.gzip)} | ${bytes(row.budget)} | ${row.target === null ? '—' : bytes(row.target)} |`);
  }
  for (const { row, missing } of pending) {
    lines.push(`| ${row.name} | pending (no ${missing.join(', ')} yet) | ${bytes(row.budget)} | ${row.target === null ? '—' : bytes(row.target)} |`);
  }
  lines.push('');
  lines.push(
    'Per module: the estimated gzip share, and the exact minified bytes in brackets. An app column is the',
    "whole app (its `(app)` line is its own code and Vite's runtime; the row above is what it gained).",
    '(no source) is text no sourcemap segment covers: the bundle wrapper, line breaks.',
    '',
  );
  const modules = new Map(); // module → Map(label → { minified, gzip })
  for (const { row, modules: list } of measured) {
    for (const entry of list) {
      if (!modules.has(entry.module)) modules.set(entry.module, new Map());
      modules.get(entry.module).set(row.label, entry);
    }
  }
  const labels = measured.map(({ row }) => row.label);
  // Largest first, by the first column that has the module (the script bundle, then the apps).
  const weight = (cells) => labels.map((label) => cells.get(label)?.gzip ?? 0).find((gzip) => gzip > 0) ?? 0;
  const order = [...modules].sort(([a, cellsA], [b, cellsB]) => {
    const first = (cells) => labels.findIndex((label) => cells.has(label));
    return first(cellsA) - first(cellsB) || weight(cellsB) - weight(cellsA) || a.localeCompare(b);
  });
  lines.push(`| module | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---:').join('|')}|`);
  for (const [module, cells] of order) {
    const row = labels.map((label) => (cells.has(label) ? `${bytes(cells.get(label).gzip)} (${bytes(cells.get(label).minified)})` : ''));
    lines.push(`| ${module.startsWith('(') ? module : `\`${module}\``} | ${row.join(' | ')} |`);
  }
  const totals = measured.map(({ modules: list }) => {
    const gzip = list.reduce((sum, entry) => sum + entry.gzip, 0);
    const minified = list.reduce((sum, entry) => sum + entry.minified, 0);
    return `**${bytes(gzip)} (${bytes(minified)})**`;
  });
  lines.push(`| **whole output** | ${totals.join(' | ')} |`);
  return lines.join('\n');
}

const updateReadme = (markdown) => replaceReadmeSection(README_START, README_END, markdown);

const { values: args } = parseArgs({ options: { readme: { type: 'boolean', default: false } } });
const markdown = report(await measureAll());
console.log(markdown);
if (args.readme) {
  updateReadme(markdown);
  console.log('\nwritten into bench/README.md');
}
