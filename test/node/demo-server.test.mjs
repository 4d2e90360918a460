// The demo server (demo/server.mjs) faced with what no page sends: malformed request targets and
// garbage over its endpoints. It must answer (or ignore) each one and stay up for everyone else.
// Node only: raw sockets and `ws`, no browser.
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDemoServer } from '../../demo/server.mjs';
import { withDeadline } from '../support/deadline.mjs';

/** Writes `raw` to the server and resolves with all it answered once it closes (or after 2 s of silence: no answer). */
function rawRequest(port, raw) {
  return withDeadline(
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (text) => (answer += text));
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer));
      socket.setTimeout(2000, () => socket.destroy());
    }),
    { what: `an answer to ${JSON.stringify(raw.split('\r\n')[0])}` },
  );
}

describe('demo server: malformed input', function () {
  this.timeout(30000);
  let demo;
  beforeEach(async () => (demo = await startDemoServer({ port: 0 })));
  afterEach(() => demo?.close());

  const health = async () => (await fetch(`${demo.url}health`)).status;

  for (const target of ['//[', '//[/chat/000/abc/xhr?client=x', 'http://[/chat/info', '/not-an-endpoint']) {
    for (const upgrade of [false, true]) {
      it(`a request for ${JSON.stringify(target)}${upgrade ? ' (WebSocket upgrade)' : ''} is answered, and the server stays up`, async function () {
        const headers = upgrade
          ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
          : 'Connection: close\r\n';
        const answer = await rawRequest(demo.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
        assert.match(answer, /^HTTP\/1\.1 404 /, 'answered 404');
        assert.equal(await health(), 200, 'the server still answers');
      });
    }
  }
});
