// In Node (as in workers) every request goes through fetch. A body must be read as it arrives and
// the request aborted at its size limit: a server that answers without end must not make the
// client hold the whole answer first (an endless poll answer once reached about 1 GB of RSS).
// The server below counts what it wrote and sees whether the client hung up before the end.
import assert from 'node:assert/strict';
import http from 'node:http';
import { SockJS } from '../../dist/esm/index.js';
import { detectEnv } from '../../dist/esm/env/env.js';
import { request, TOO_LARGE } from '../../dist/esm/net/request.js';
import { withDeadline } from '../support/deadline.mjs';
import { onLoopback } from '../support/loopback.mjs';

/** Far more than any limit under test, so that a client that reads it all is told apart. */
const ENDLESS_BYTES = 32 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** A server whose every answer is a 200 of ENDLESS_BYTES, written as fast as the client reads. */
async function startEndlessServer() {
  const answers = [];
  const server = http.createServer((req, res) => {
    const answer = { url: req.url, written: 0, finished: false };
    answer.closed = new Promise((resolve) => res.once('close', resolve));
    answers.push(answer);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    // Bounded: at most ENDLESS_BYTES / CHUNK writes, each after the previous one drained.
    const writeMore = () => {
      while (answer.written < ENDLESS_BYTES && !res.destroyed) {
        answer.written += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', writeMore);
      }
      if (!res.destroyed) res.end(() => (answer.finished = true));
    };
    writeMore();
  });
  const loopback = onLoopback(server);
  const port = await loopback.listen();
  return { answers, url: (path) => `http://127.0.0.1:${port}${path}`, close: () => loopback.close() };
}

describe('size limits on fetch bodies, in Node', function () {
  let server;
  beforeEach(async () => {
    server = await startEndlessServer();
  });
  afterEach(async () => {
    await server?.close();
  });

  it('a poll answer without end: the request stops at its limit and the server sees it hang up', async function () {
    const limit = 1024 * 1024;
    const req = request(detectEnv(), { method: 'POST', url: server.url('/echo/000/abc/xhr'), headers: {}, withCredentials: false, maxLength: limit });
    const result = await withDeadline(req.done, { what: 'the request to stop at its limit' });
    assert.equal(result.status, TOO_LARGE);
    const [answer] = server.answers;
    await withDeadline(answer.closed, { what: 'the server to see the client hang up' });
    assert.equal(answer.finished, false, 'the client read the whole answer');
    assert.ok(answer.written < ENDLESS_BYTES / 2, `the server wrote ${answer.written} bytes for a limit of ${limit}`);
  });

  it('an /info answer without end: SockJS closes 1002 naming the URL, and the server sees it hang up', async function () {
    const closed = await withDeadline(
      new Promise((resolve) => {
        const socket = new SockJS(server.url('/echo'), null, { transports: 'xhr-polling' });
        socket.onclose = (event) => resolve({ code: event.code, reason: event.reason });
      }),
      { what: 'the close' },
    );
    assert.deepEqual(closed, { code: 1002, reason: `GET ${server.url('/echo/info')}: too large` });
    const [answer] = server.answers;
    await withDeadline(answer.closed, { what: 'the server to see the client hang up' });
    assert.equal(answer.finished, false, 'the client read the whole answer');
    assert.ok(answer.written < ENDLESS_BYTES / 2, `the server wrote ${answer.written} bytes for a limit of 65,536 characters`);
  });
});
