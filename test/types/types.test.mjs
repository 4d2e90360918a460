// Runs `tsc --noEmit` on test/types/ (which imports 'resock' through the package's own
// `exports`, i.e. the built dist/types) and fails with the compiler's diagnostics.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('the public types (compile-only)', function () {
  this.timeout(120000);

  it('test/types/ compiles against dist/types, and every @ts-expect-error is an error', function () {
    assert.ok(existsSync(fileURLToPath(new URL('../../dist/types/index.d.ts', import.meta.url))), 'dist/types is missing: run npm run build');
    const configFile = ts.findConfigFile(here, ts.sys.fileExists, 'tsconfig.json');
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, here);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => here, getNewLine: () => '\n' };
    assert.equal(ts.formatDiagnostics(diagnostics, host), '');
    // The import really went to the built declarations, not to src/.
    const resolved = program.getSourceFiles().map((file) => file.fileName).filter((name) => name.includes('/dist/types/'));
    assert.ok(resolved.length > 0, 'resock did not resolve to dist/types');
  });
});
