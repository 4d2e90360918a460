// Workers: a dedicated worker (module worker on dist/esm, classic worker on the IIFE) and a
// service worker connect to sockjs-node and echo. A service worker has no XMLHttpRequest: the
// xhr-* transports there run on fetch alone (Chromium does give it EventSource).
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';
import { startFileServer } from '../compat/file-server.mjs';

const MESSAGES = ['hello', 'Unicode: Καλημέρα 😀', 'a["not a frame"]'];
const PAGE = '/fixtures/worker/page.html';

describe('resock in workers', function () {
  let sockjsServer;
  let files;
  before(async () => {
    sockjsServer = await startSockjsServer();
    // Worker scripts must come from the page's origin; the SockJS server stays another origin.
    files = await startFileServer({ '/dist/': 'dist', '/fixtures/': 'test/fixtures' });
  });
  after(async () => {
    await sockjsServer?.close();
    await files?.close();
  });

  async function workerPage() {
    const page = await openPage();
    await page.page.goto(files.url(PAGE), { waitUntil: 'load' });
    return page;
  }

  const echoed = (transport) => ({ opened: transport, received: MESSAGES, code: 1000 });

  for (const [kind, script, type, globalSockJS] of [
    ['module worker importing dist/esm', '/fixtures/worker/module-worker.js', 'module', 'undefined'],
    ['classic worker with importScripts of the IIFE', '/fixtures/worker/classic-worker.js', 'classic', 'function'],
  ]) {
    it(`a dedicated ${kind} connects over every transport it has and echoes`, async function () {
      const page = await workerPage();
      const request = {
        url: sockjsServer.url('/echo'),
        transports: ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'],
        resockTransports: ['websocket', 'xhr-streaming'],
        messages: MESSAGES,
      };
      const result = await withDeadline(
        page.run(
          (scriptUrl, workerType, data) =>
            new Promise((resolve, reject) => {
              const worker = new Worker(scriptUrl, { type: workerType });
              worker.onmessage = (event) => {
                worker.terminate();
                resolve(event.data);
              };
              worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
              worker.postMessage(data);
            }),
          script,
          type,
          request,
        ),
        { what: `the ${kind}'s echoes`, explain: async () => page.describeConsoleErrors() },
      );
      assert.deepEqual(result.env, {
        WebSocket: 'function',
        XMLHttpRequest: 'function',
        EventSource: 'function',
        fetch: 'function',
        ReadableStream: 'function',
        document: 'undefined',
        SockJS: globalSockJS,
      });
      for (const transport of ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling']) {
        assert.deepEqual(result.sockjs[transport], echoed(transport), transport);
      }
      // No document, no <script>: JSONP is not possible, and says so at once.
      assert.deepEqual(result.sockjs['jsonp-polling'], { opened: null, received: [], code: 2000 });
      assert.deepEqual(result.resock, { received: MESSAGES, code: 1000 });
    });
  }

  it('a service worker (no XMLHttpRequest) connects over websocket, eventsource and the xhr-* transports on fetch, and echoes', async function () {
    const page = await workerPage();
    const request = {
      url: sockjsServer.url('/echo'),
      transports: ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'],
      resockTransports: ['xhr-streaming', 'xhr-polling'],
      messages: MESSAGES,
    };
    const result = await withDeadline(
      page.run(async (scriptUrl, data) => {
        const registration = await navigator.serviceWorker.register(scriptUrl);
        const worker = registration.installing || registration.waiting || registration.active;
        if (worker.state !== 'activated') {
          await new Promise((resolve, reject) =>
            worker.addEventListener('statechange', () => {
              if (worker.state === 'activated') resolve();
              if (worker.state === 'redundant') reject(new Error('the service worker failed to install'));
            }),
          );
        }
        const channel = new MessageChannel();
        const answer = new Promise((resolve) => {
          channel.port1.onmessage = (event) => resolve(event.data);
        });
        worker.postMessage(data, [channel.port2]);
        const result = await answer;
        await registration.unregister();
        return result;
      }, '/fixtures/worker/service-worker.js', request),
      { what: "the service worker's echoes", explain: async () => page.describeConsoleErrors() },
    );
    assert.equal(result.error, undefined);
    assert.deepEqual(result.env, {
      WebSocket: 'function',
      XMLHttpRequest: 'undefined',
      EventSource: 'function',
      fetch: 'function',
      ReadableStream: 'function',
      document: 'undefined',
      SockJS: 'function',
    });
    for (const transport of ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling']) {
      assert.deepEqual(result.sockjs[transport], echoed(transport), transport);
    }
    assert.deepEqual(result.sockjs['jsonp-polling'], { opened: null, received: [], code: 2000 }, 'no document in a service worker');
    assert.deepEqual(result.resock, { received: MESSAGES, code: 1000 });
  });
});
