// One place for rewriting a generated section of bench/README.md between two marker comments
// (the benchmark's results, the size breakdown).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), 'README.md');

/** Replaces what lies between the `start` and `end` markers of bench/README.md with `markdown`. */
export function replaceReadmeSection(start, end, markdown) {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`bench/README.md lacks the ${start} … ${end} markers`);
  writeFileSync(README, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
}
