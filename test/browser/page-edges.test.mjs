// What a page may do to the requests of a live connection: stop them all (window.stop()), or
// replace the body's content (a framework mounting on <body>). The connection either goes on or
// closes with a code; it never falls silent.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

// A loaded machine must not time the transport out before the test begins.
const TIMEOUT = 10000;

describe('a page that interferes with its requests', function () {
  let server;
  before(async () => {
    server = await startSockjsServer();
  });
  after(async () => {
    await server?.close();
  });

  it('jsonp-polling goes on after the page replaces the content of <body>, instead of falling silent', async function () {
    const page = await openPage();
    const socket = await page.connect(server.url('/echo'), { transports: 'jsonp-polling', timeout: TIMEOUT });
    await socket.opened();
    await page.run(() => {
      document.body.innerHTML = '<p>mounted</p>';
    });
    await socket.send('after the body was replaced');
    assert.deepEqual(await socket.messages(1), ['after the body was replaced']);
  });

  it('xhr-polling closes (1006) when window.stop() aborts its requests, instead of falling silent', async function () {
    const page = await openPage();
    const socket = await page.connect(server.url('/echo'), { transports: 'xhr-polling', timeout: TIMEOUT });
    await socket.opened();
    await page.run(() => window.stop());
    const closed = await socket.closed();
    assert.equal(closed.code, 1006);
  });
});
