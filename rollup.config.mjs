// Builds the published bundles straight from src/ (types come from `tsc --emitDeclarationOnly`):
//  - dist/esm: one module per source file, so bundlers tree-shake unused transports;
//  - dist/cjs: one CommonJS file for require();
//  - dist/*.min.js: minified IIFEs for <script> tags, with sourcemaps.
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { privateNameTable, renamePrivateMembers } from './scripts/private-names.mjs';

const ts = () =>
  typescript({ tsconfig: './tsconfig.json', declaration: false, declarationMap: false, declarationDir: undefined, outDir: undefined });

// dist/esm and dist/cjs: the private members renamed with one table for all their modules (the
// <script> bundles get theirs from terser). src/server reads sockjs-node's own `_session`: kept.
const privateNames = privateNameTable();
const esmOrCjs = () => [ts(), renamePrivateMembers(privateNames, { exclude: /[\\/]src[\\/]server[\\/]/ })];

const terserOptions = {
  ecma: 2020,
  compress: { passes: 3, pure_getters: true },
  // Members that start with an underscore are private by convention: the minifier may rename them.
  mangle: { properties: { regex: /^_/ } },
  format: { comments: false },
};

const iife = (input, file, name, preamble) => ({
  input,
  plugins: [ts()],
  output: {
    file, format: 'iife', name, exports: 'default', sourcemap: true,
    plugins: [terser({ ...terserOptions, format: { ...terserOptions.format, preamble } })],
  },
});

export default [
  {
    // One ESM build for both entries: a second build into dist/esm would rewrite the shared core
    // modules with only the exports resock/stomp uses.
    // resume is resock/resume; resume/index is the core alone (its unit tests load it from here); server/index is resock/server.
    input: { index: 'src/index.ts', core: 'src/core.ts', transports: 'src/transports.ts', resume: 'src/resume.ts', 'stomp/index': 'src/stomp/index.ts', 'shared/index': 'src/sharing/index.ts', 'resume/index': 'src/resume/index.ts', 'server/index': 'src/server/index.ts' },
    external: [/^node:/],
    plugins: esmOrCjs(),
    output: [{ dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true }],
  },
  {
    input: 'src/index.ts',
    plugins: esmOrCjs(),
    output: [{ file: 'dist/cjs/index.cjs', format: 'cjs', exports: 'named', sourcemap: true }],
  },
  ...['core', 'transports', 'resume'].map((name) => ({
    input: `src/${name}.ts`,
    plugins: esmOrCjs(),
    output: [{ file: `dist/cjs/${name}.cjs`, format: 'cjs', exports: 'named', sourcemap: true }],
  })),
  {
    input: 'src/stomp/index.ts',
    plugins: esmOrCjs(),
    output: [{ file: 'dist/cjs/stomp.cjs', format: 'cjs', exports: 'named', sourcemap: true }],
  },
  {
    input: 'src/sharing/index.ts',
    plugins: esmOrCjs(),
    output: [{ file: 'dist/cjs/shared.cjs', format: 'cjs', exports: 'named', sourcemap: true }],
  },
  {
    input: 'src/server/index.ts',
    external: [/^node:/],
    plugins: esmOrCjs(),
    output: [{ file: 'dist/cjs/server.cjs', format: 'cjs', exports: 'named', sourcemap: true }],
  },
  // The hint makes V8 compile every function with the script, not during the first connection.
  iife('src/iife.ts', 'dist/resock.min.js', 'Resock', '//# allFunctionsCalledOnLoad'),
  iife('src/stomp/iife.ts', 'dist/resock-stomp.min.js', 'ResockStomp'),
  iife('src/sharing/iife.ts', 'dist/resock-shared.min.js', 'ResockShared'),
  // After resock.min.js: adds Resock.resume (and the global ResockResume).
  iife('src/resume/iife.ts', 'dist/resock-resume.min.js', 'ResockResume'),
];
