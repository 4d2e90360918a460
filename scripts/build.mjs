// npm run build: declarations with tsc, bundles with rollup. dist/ is overwritten in place, not
// deleted first, so pages that load it while a build runs elsewhere do not meet a missing file.
import { execFileSync } from 'node:child_process';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly']);
run(['node_modules/rollup/dist/bin/rollup', '-c', '--silent']);

// Declarations for `moduleResolution: node16/nodenext`: relative imports need their `.js`.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function* declarations(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* declarations(path);
    else if (path.endsWith('.d.ts')) yield path;
  }
}
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
