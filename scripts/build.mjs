// npm run build: declarations with tsc, bundles with rollup.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly']);
run(['node_modules/rollup/dist/bin/rollup', '-c', '--silent']);
