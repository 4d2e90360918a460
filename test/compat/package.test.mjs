// The package as published: `npm pack`, installed into a fresh project, imported as ESM and
// required as CommonJS by Node, and compiled against by TypeScript through its `exports`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { consumerProject, node, packResock, removePack, tsc } from './package.mjs';
import { repoRoot } from './file-server.mjs';

const CONSUMER_TS = fileURLToPath(new URL('../fixtures/package/consumer.ts', import.meta.url));
const EXPECTED = {
  resock: {
    Resock: 'function',
    SockJS: 'function',
    CloseCode: 'object',
    QueueOverflowError: 'function',
    InvalidStateError: 'function',
    InvalidAccessError: 'function',
    backoffDelay: 'function',
  },
  'resock/stomp': { StompClient: 'function', QueueOverflowError: 'function' },
};

/** Every file path an `exports` map (or a string target) points at. */
const exportTargets = (value) =>
  typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap((entry) => exportTargets(entry));

describe('the package as published (npm pack)', function () {
  this.timeout(120000);
  let project;
  let manifest;
  before(async () => {
    manifest = JSON.parse(await readFile(new URL('package.json', `file://${repoRoot}/`), 'utf8'));
    project = await consumerProject({
      'consumer.ts': await readFile(CONSUMER_TS, 'utf8'),
    });
  });
  after(async () => {
    await project?.remove();
    await removePack();
  });

  it('holds every file that main, module, types, unpkg and exports name, and nothing but dist/, src/, README.md, LICENSE and package.json', async function () {
    const { files } = await packResock();
    const named = [manifest.main, manifest.module, manifest.types, manifest.unpkg, ...exportTargets(manifest.exports)]
      .filter(Boolean)
      .map((file) => file.replace(/^\.\//, ''));
    assert.deepEqual(named.filter((file) => !files.includes(file)), [], 'named but not packed');
    assert.ok(files.includes('dist/resock.min.js'), 'the IIFE for <script> tags');
    for (const file of ['README.md', 'LICENSE', 'package.json']) assert.ok(files.includes(file), `${file} is not packed`);
    // Tests, fixtures, the demo, the bench, scripts, configs: for this repository, not for users.
    assert.deepEqual(files.filter((file) => !/^(dist|src)\/|^(README\.md|LICENSE|package\.json)$/.test(file)), [], 'packed but not for users');
  });

  it('imports as ESM in Node, with every export', async function () {
    const out = await node(
      [
        '--input-type=module',
        '-e',
        `const out = {};
         for (const name of ['resock', 'resock/stomp']) {
           const module = await import(name);
           out[name] = Object.fromEntries(Object.keys(module).sort().map((key) => [key, typeof module[key]]));
         }
         console.log(JSON.stringify(out));`,
      ],
      project.dir,
    );
    const found = JSON.parse(out);
    for (const [entry, expected] of Object.entries(EXPECTED)) {
      for (const [name, kind] of Object.entries(expected)) assert.equal(found[entry][name], kind, `${entry}: ${name}`);
    }
  });

  it('requires as CommonJS in Node, with the same exports as ESM', async function () {
    const out = await node(
      [
        '-e',
        `const out = {};
         for (const name of ['resock', 'resock/stomp']) {
           const module = require(name);
           out[name] = Object.fromEntries(Object.keys(module).filter((key) => key !== '__esModule').sort().map((key) => [key, typeof module[key]]));
         }
         out.sameClass = require('resock').SockJS.OPEN === 1 && typeof require('resock/package.json').version;
         console.log(JSON.stringify(out));`,
      ],
      project.dir,
    );
    const found = JSON.parse(out);
    for (const [entry, expected] of Object.entries(EXPECTED)) {
      for (const [name, kind] of Object.entries(expected)) assert.equal(found[entry][name], kind, `${entry}: ${name}`);
    }
    const esm = JSON.parse(
      await node(['--input-type=module', '-e', `console.log(JSON.stringify(Object.keys(await import('resock')).sort()))`], project.dir),
    );
    assert.deepEqual(Object.keys(found.resock), esm, 'CJS and ESM export the same names');
    assert.equal(found.sameClass, 'string');
  });

  for (const [label, compilerOptions] of [
    ['Node16 ESM resolution', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler resolution', { module: 'esnext', moduleResolution: 'bundler' }],
  ]) {
    it(`type-checks a consumer through the package's exports (${label})`, async function () {
      const tsconfig = {
        compilerOptions: { ...compilerOptions, target: 'es2020', lib: ['es2020', 'dom'], strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['consumer.ts'],
      };
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${project.dir}/tsconfig.json`, JSON.stringify(tsconfig));
      assert.equal(await tsc(['-p', 'tsconfig.json'], project.dir), '');
    });
  }

  it('type-checks a CommonJS consumer (require through the exports)', async function () {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      `${project.dir}/consumer.cts`,
      `import resock = require('resock');\nconst socket: resock.SockJS = new resock.SockJS('https://example.com/echo');\nsocket.close();\n`,
    );
    const tsconfig = {
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2020', lib: ['es2020', 'dom'], strict: true, noEmit: true, types: [] },
      files: ['consumer.cts'],
    };
    await writeFile(`${project.dir}/tsconfig.cjs.json`, JSON.stringify(tsconfig));
    assert.equal(await tsc(['-p', 'tsconfig.cjs.json'], project.dir), '');
  });
});
