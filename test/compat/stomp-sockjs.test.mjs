// Proof with a client library nobody here wrote: @stomp/stompjs 7, configured as apps configure
// it for sockjs-client (`webSocketFactory: () => new SockJS(url, null, { transports })`, with the
// global `SockJS` that resock's IIFE defines), exchanges STOMP messages with a real RabbitMQ over
// every transport, through a sockjs-node endpoint relaying each session to RabbitMQ's STOMP port.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { ensureRabbitmq } from './rabbitmq.mjs';
import { startRelay } from '../broker/relay.mjs';

const STOMPJS = fileURLToPath(new URL('../../node_modules/@stomp/stompjs/bundles/stomp.umd.min.js', import.meta.url));
const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const BODIES = [
  'hello',
  'Unicode: Καλημέρα 你好 😀👍🏽 e\u0301',
  'lines\nand\r\nbreaks: a STOMP frame in a body',
  'x'.repeat(100 * 1024), // larger than a TCP chunk: split across SockJS messages by the relay
];

describe('@stomp/stompjs 7 over resock SockJS, against RabbitMQ', function () {
  this.timeout(120000);
  let stopRabbitmq;
  let relay;
  before(async function () {
    stopRabbitmq = await ensureRabbitmq();
    relay = await startRelay(); // the broker tests' SockJS↔STOMP relay
  });
  after(async () => {
    await relay?.close();
    await stopRabbitmq?.();
  });

  for (const transport of TRANSPORTS) {
    it(`subscribes, publishes and receives over ${transport}`, async function () {
      const page = await openPage();
      await page.page.addScriptTag({ path: STOMPJS });
      const destination = `/queue/resock-compat-${transport}-${Date.now()}`;
      const result = await withDeadline(
        page.run(
          (url, t, dest, bodies) =>
            new Promise((resolve, reject) => {
              const sockets = [];
              const received = [];
              const client = new StompJs.Client({
                // As in a sockjs-client app: the global SockJS, here defined by resock's IIFE.
                webSocketFactory: () => {
                  const socket = new SockJS(url, null, { transports: t });
                  sockets.push(socket);
                  return socket;
                },
                connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
                reconnectDelay: 0,
                debug: () => {},
                onStompError: (frame) => reject(new Error(`STOMP ERROR: ${frame.headers.message} ${frame.body}`)),
                onWebSocketClose: (event) => {
                  if (received.length < bodies.length) reject(new Error(`socket closed early: ${event.code} ${event.reason}`));
                },
              });
              client.onConnect = (frame) => {
                const version = frame.headers.version;
                client.subscribe(
                  dest,
                  (message) => {
                    received.push({ body: message.body, header: message.headers['x-resock'] });
                    if (received.length < bodies.length) return;
                    const transport = sockets[0].transport;
                    const isResock = sockets[0] instanceof Resock.SockJS;
                    client.deactivate().then(() =>
                      resolve({ received, transport, isResock, version, sockets: sockets.length, readyState: sockets[0].readyState }),
                    );
                  },
                  { 'auto-delete': 'true' },
                );
                bodies.forEach((body, i) => client.publish({ destination: dest, body, headers: { 'x-resock': String(i) } }));
              };
              client.activate();
            }),
          relay.url(),
          transport,
          destination,
          BODIES,
        ),
        { what: `STOMP messages over ${transport}`, timeoutMs: 60000 },
      );
      assert.equal(result.isResock, true, 'the global SockJS is resock’s');
      assert.equal(result.transport, transport);
      assert.equal(result.sockets, 1, 'one connection, no reconnect');
      assert.equal(result.version, '1.2');
      assert.equal(result.readyState, 3, 'deactivate() closed the socket');
      assert.deepEqual(
        result.received.map(({ header }) => header),
        BODIES.map((_, i) => String(i)),
      );
      result.received.forEach(({ body }, i) => assert.ok(body === BODIES[i], `body ${i} differs (length ${body.length} vs ${BODIES[i].length})`));
      await page.waitUntilNoPendingRequests();
    });
  }
});
