// Serves the built bundles and the test page from 127.0.0.1 on a port of its own, so that the
// page's origin differs from the SockJS server's and every request of the library is cross-origin.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLoopback } from './loopback.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const servedFolders = ['dist/', 'test/browser/', 'test/engines/'];
const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The query parameter that adds a response header to that one response: `?set-header=Name:%20value`. */
export const SET_HEADER_PARAM = 'set-header';

/**
 * Starts the server. `/dist/…`, `/test/browser/…` and `/test/engines/…` are served from the repository.
 * Each `set-header` query parameter (`Name: value`) is added to the response, so a test
 * can serve its page with, for example, a Content-Security-Policy of its own.
 */
export async function startStaticServer() {
  const server = http.createServer((req, res) => {
    serveFile(req, res).catch(() => answer(res, 500, 'Internal error\n'));
  });
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    /** The URL of a served path, with extra response headers if given: `url('/test/browser/page.html', { headers })`. */
    url(pathname, { headers = {} } = {}) {
      const url = new URL(pathname, `http://127.0.0.1:${port}`);
      for (const [name, value] of Object.entries(headers)) url.searchParams.append(SET_HEADER_PARAM, `${name}: ${value}`);
      return url.href;
    },
    close: lifecycle.close,
  };
}

async function serveFile(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  for (const header of url.searchParams.getAll(SET_HEADER_PARAM)) {
    const separator = header.indexOf(':');
    if (separator > 0) res.setHeader(header.slice(0, separator).trim(), header.slice(separator + 1).trim());
  }
  const relative = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  if (req.method !== 'GET' || !servedFolders.some((folder) => relative.startsWith(folder))) {
    return answer(res, 404, 'Not found\n');
  }
  let body;
  try {
    body = await readFile(path.join(repoRoot, relative));
  } catch {
    return answer(res, 404, 'Not found\n');
  }
  res.writeHead(200, {
    'Content-Type': contentTypes[path.extname(relative)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function answer(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
