// Builds the published bundles straight from src/ (types come from `tsc --emitDeclarationOnly`):
//  - dist/esm: one module per source file, so bundlers tree-shake unused transports;
//  - dist/cjs: one CommonJS file for require();
//  - dist/*.min.js: minified IIFEs for <script> tags, with sourcemaps.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { privateNameTable, renamePrivateMembers, visitPrivateNames } from './scripts/private-names.mjs';

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

const src = (path) => fileURLToPath(new URL(`src/${path}`, import.meta.url));

// The <script> add-ons take the modules below from resock.min.js (src/lent.ts), not a copy: in
// their builds, every other module imports them from src/borrow.ts (which exports what the
// add-ons use of them: rollup fails the build on a name it lacks).
const LENT = ['util/options.ts', 'util/emitter.ts', 'util/utf8.ts', 'protocol/codes.ts'].map(src);
const BORROW = src('borrow.ts');
const borrowFromCore = () => ({
  name: 'borrow-from-core',
  async resolveId(source, importer, options) {
    if (!importer || importer === BORROW) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && LENT.includes(resolved.id) ? BORROW : resolved;
  },
});

// RESOCK_AT_VERSION (src/lent.ts): the key under which the core lends, which the add-ons look for.
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));
const writeVersion = () => ({
  name: 'write-version',
  transform: (code) => (code.includes('RESOCK_AT_VERSION') ? { code: code.replace(/\bRESOCK_AT_VERSION\b/g, JSON.stringify(`resock@${version}`)), map: null } : null),
});

// An add-on's class that extends the core's Emitter puts its own members and the core's on one
// object, each named by its own bundle's terser: the add-on's terser takes the core's names for
// the private members of the lent modules (and gives none of them to its own), so that no two
// meet. Only those: the add-on's own members keep the shortest names.
const coreNames = {}; // terser's nameCache of resock.min.js
const lentPrivateNames = new Set();
const collectLentNames = () => ({
  name: 'collect-lent-names',
  moduleParsed: (info) => void (LENT.includes(info.id) && visitPrivateNames(info.ast, (key) => lentPrivateNames.add(key.name))),
});
const lentNames = () => {
  const nameCache = {};
  const plugin = {
    name: 'lent-names',
    renderStart() {
      const core = coreNames.props.props;
      nameCache.props = { props: Object.fromEntries([...lentPrivateNames].map((name) => [`$${name}`, core[`$${name}`]]).filter(([, short]) => short)) };
    },
  };
  return { plugin, nameCache };
};

const iife = (input, file, name, { preamble, core = false, addOn = false } = {}) => {
  const names = addOn && lentNames();
  return {
    input,
    plugins: [...(addOn ? [borrowFromCore()] : []), ts(), writeVersion(), ...(core ? [collectLentNames()] : [])],
    output: {
      file, format: 'iife', name, exports: 'default', sourcemap: true,
      plugins: [
        ...(names ? [names.plugin] : []),
        terser({ ...terserOptions, nameCache: core ? coreNames : names?.nameCache, format: { ...terserOptions.format, preamble } }),
      ],
    },
  };
};

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
  // Built first: the add-ons' builds need its private names (coreNames).
  iife('src/iife.ts', 'dist/resock.min.js', 'Resock', { preamble: '//# allFunctionsCalledOnLoad', core: true }),
  iife('src/stomp/iife.ts', 'dist/resock-stomp.min.js', 'ResockStomp'),
  // After resock.min.js: adds Resock.shared (and the global ResockShared).
  iife('src/sharing/iife.ts', 'dist/resock-shared.min.js', 'ResockShared', { addOn: true }),
  // After resock.min.js: adds Resock.resume (and the global ResockResume).
  iife('src/resume/iife.ts', 'dist/resock-resume.min.js', 'ResockResume', { addOn: true }),
];
