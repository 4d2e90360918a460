// A static server for the compatibility tests' own pages: built bundler apps, worker and service
// worker scripts, fixture pages. Like test/support/static-server.mjs (which serves only dist/ and
// test/browser/), it listens on 127.0.0.1, another origin than the SockJS server's, and takes
// extra response headers per request; here the folders served are the caller's.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLoopback } from '../support/loopback.mjs';
import { SET_HEADER_PARAM } from '../support/static-server.mjs';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Starts a server for `mounts`: URL prefix → folder, e.g. `{ '/dist/': 'dist', '/': outDir }`
 * (relative folders are taken from the repository root; the longest matching prefix wins; a
 * path ending in `/` serves its `index.html`). `headers` go on every response; each
 * `set-header` query parameter (`Name: value`) adds one to that response alone.
 */
export async function startFileServer(mounts, { headers = {} } = {}) {
  const table = Object.entries(mounts)
    .map(([prefix, folder]) => ({ prefix, folder: path.resolve(repoRoot, folder) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const server = http.createServer((req, res) => {
    serve(req, res, table, headers).catch(() => answer(res, 500, 'Internal error\n'));
  });
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    /** The URL of a served path, with extra response headers if given. */
    url(pathname, { headers: extra = {} } = {}) {
      const url = new URL(pathname, origin);
      for (const [name, value] of Object.entries(extra)) url.searchParams.append(SET_HEADER_PARAM, `${name}: ${value}`);
      return url.href;
    },
    close: lifecycle.close,
  };
}

async function serve(req, res, table, headers) {
  const url = new URL(req.url, 'http://127.0.0.1');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  for (const header of url.searchParams.getAll(SET_HEADER_PARAM)) {
    const separator = header.indexOf(':');
    if (separator > 0) res.setHeader(header.slice(0, separator).trim(), header.slice(separator + 1).trim());
  }
  let pathname = path.posix.normalize(decodeURIComponent(url.pathname));
  if (pathname.endsWith('/')) pathname += 'index.html';
  const mount = table.find(({ prefix }) => pathname.startsWith(prefix));
  if (req.method !== 'GET' || !mount || pathname.includes('..')) return answer(res, 404, 'Not found\n');
  let body;
  try {
    body = await readFile(path.join(mount.folder, pathname.slice(mount.prefix.length)));
  } catch {
    return answer(res, 404, 'Not found\n');
  }
  res.writeHead(200, {
    'Content-Type': contentTypes[path.extname(pathname)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function answer(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
