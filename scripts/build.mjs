// npm run build: declarations with tsc, bundles with rollup. dist/ is overwritten in place, not
// deleted first, so pages that load it while a build runs elsewhere do not meet a missing file;
// what the build did not write (a module moved or removed since the last build) is removed once
// tsc and rollup are done, so that `npm pack` from an old tree does not ship it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const started = Date.now();
const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly']);
run(['node_modules/rollup/dist/bin/rollup', '-c', '--silent']);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}
const declarations = (dir) => [...files(dir)].filter((path) => path.endsWith('.d.ts'));

// tsc and rollup wrote every file of theirs anew: a file in dist/ older than this build is one no
// build makes any more (the CommonJS declarations, older too, are all made again below). The
// second of margin is for file systems that keep times to the second.
for (const file of files('dist')) if (statSync(file).mtimeMs < started - 1000) rmSync(file);

// Declarations for `moduleResolution: node16/nodenext`: relative imports need their `.js`.
for (const file of declarations('dist/types')) {
  const text = readFileSync(file, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)\2/g, (whole, lead, quote, spec) => {
    if (/\.js$/.test(spec)) return whole;
    const target = join(dirname(file), spec);
    const withExtension = existsSync(target) && statSync(target).isDirectory() ? `${spec}/index.js` : `${spec}.js`;
    return `${lead}${quote}${withExtension}${quote}`;
  });
  writeFileSync(file, text);
}

// `require` consumers on node16/nodenext need CommonJS declarations: the same, as .d.cts.
for (const file of declarations('dist/types')) {
  const target = file.replace(/^dist[\\/]types/, 'dist/types-cjs').replace(/\.d\.ts$/, '.d.cts');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, readFileSync(file, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2').replace(/\/\/# sourceMappingURL=.*$/m, ''));
}
