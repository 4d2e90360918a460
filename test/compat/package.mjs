// The package as users get it: `npm pack` of this repository (what `npm publish` would upload),
// installed into fresh temporary projects, so that `exports`, `files` and `types` are what is tested.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './file-server.mjs';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let packed; // Promise<{ tarball, files, dir }>, one pack per test run

/** `npm pack` once per run: resolves with the tarball's path and the list of files in it. */
export function packResock() {
  packed ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'resock-pack-'));
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    const [info] = JSON.parse(stdout);
    return { tarball: path.join(dir, info.filename), files: info.files.map((file) => file.path), dir };
  })();
  return packed;
}

/** Removes the packed tarball (call once, at the end of the run). */
export async function removePack() {
  if (!packed) return;
  const { dir } = await packed.catch(() => ({}));
  packed = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * A fresh project in a temporary folder with the packed resock installed by npm, and `files`
 * (relative path → content) written in it. Resolves with `{ dir, remove() }`.
 */
export async function consumerProject(files = {}, { type = 'module' } = {}) {
  const { tarball } = await packResock();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'resock-consumer-'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'resock-consumer', private: true, type }, null, 2));
  // The tarball has no dependencies: nothing is fetched from the registry.
  await run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: dir });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `node` with `args` in `cwd`; resolves with stdout, rejects with stderr in the message. */
export async function node(args, cwd) {
  try {
    const { stdout } = await run(process.execPath, args, { cwd });
    return stdout;
  } catch (error) {
    throw new Error(`node ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
}

/** Runs the repository's TypeScript compiler on a project; resolves with its output (empty when clean). */
export async function tsc(args, cwd) {
  try {
    await run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), ...args], { cwd });
    return '';
  } catch (error) {
    return (error.stdout || '') + (error.stderr || '') || error.message;
  }
}
