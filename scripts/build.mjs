// npm run build: declarations with tsc, bundles with rollup. dist/ is overwritten in place, not
// deleted first, so pages that load it while a build runs elsewhere do not meet a missing file.
import { execFileSync } from 'node:child_process';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly']);
run(['node_modules/rollup/dist/bin/rollup', '-c', '--silent']);
