// resock/stomp against a real RabbitMQ, in Chromium, with the built bundles: over a native
// WebSocket to Web-STOMP, and over Resock on every transport through the SockJS↔STOMP relay.
// One case list for every variant, then a broker restart with all of them streaming at once.
import assert from 'node:assert/strict';
import { startProxy } from '../support/proxy.mjs';
import { restartRabbitMQ } from './rabbitmq-hooks.mjs';
import { startRelay } from './relay.mjs';
import { openStompPage, StompProbe } from './stomp-page.mjs';

const WEB_STOMP_PORT = 15674;
const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
/** Queue names unique to this run: RabbitMQ keeps durable queues across runs. */
const RUN = Date.now().toString(36);
let queues = 0;
const newQueue = (what) => `/queue/resock-${RUN}-${what}-${++queues}`;

describe('resock/stomp against RabbitMQ', function () {
  this.timeout(120000);
  let relay;
  let webStompProxy; // in front of Web-STOMP, so that a native WebSocket's link can be frozen too

  before(async () => {
    relay = await startRelay();
    webStompProxy = await startProxy({ targetPort: WEB_STOMP_PORT });
  });
  after(async () => {
    await relay?.close();
    await webStompProxy?.close();
  });

  const variants = [
    {
      name: 'native WebSocket to Web-STOMP',
      options: () => ({ kind: 'websocket', url: `ws://127.0.0.1:${webStompProxy.port}/ws` }),
      freeze: () => webStompProxy.freeze(true),
      thaw: () => webStompProxy.freeze(false),
    },
    ...TRANSPORTS.map((transport) => ({
      name: `Resock over ${transport} through the SockJS relay`,
      options: () => ({ kind: 'resock', url: relay.url(), transport }),
      freeze: () => assert.ok(relay.freeze() > 0, 'no relay link to freeze'),
      thaw: () => {},
    })),
  ];

  for (const variant of variants) {
    describe(variant.name, function () {
      /** A page, and a client of this variant, connected. */
      async function connectedClient(extra = {}) {
        const page = await openStompPage();
        const client = await StompProbe.create(page, { ...variant.options(), ...extra });
        const [connect] = await client.connected();
        assert.equal(connect.version, '1.2');
        return client;
      }

      it('publishes and receives, in order, text with Unicode and NUL', async () => {
        const client = await connectedClient();
        const queue = newQueue('roundtrip');
        const sub = await client.subscribe(queue);
        const bodies = ['hello', 'Grüße, 你好, 😀', 'with\0NUL\0inside', '', 'x'.repeat(100000)];
        for (const body of bodies) assert.equal(await client.publish({ destination: queue, body, headers: { 'content-type': 'text/plain' } }), 'ok');
        const got = await client.messages(sub, bodies.length);
        assert.deepEqual(got.map((m) => m.body), bodies);
        assert.equal(got[0].headers.destination, queue);
        assert.equal(got[0].headers.subscription, sub);
      });

      it('acknowledges client-individual messages, and a NACKed one comes back redelivered', async () => {
        const client = await connectedClient();
        const queue = newQueue('ack');
        const sub = await client.subscribe(queue, { ack: 'client-individual' });
        await client.publish({ destination: queue, body: 'keep' });
        await client.publish({ destination: queue, body: 'again' });
        const [keep, again] = await client.messages(sub, 2);
        assert.deepEqual([keep.body, again.body], ['keep', 'again']);
        assert.equal(again.headers.redelivered, 'false');
        await client.call('ack', [sub, 0]);
        await client.call('nack', [sub, 1]);
        const [, , redelivered] = await client.messages(sub, 3);
        assert.equal(redelivered.body, 'again');
        assert.equal(redelivered.headers.redelivered, 'true');
        await client.call('ack', [sub, 2]);
        // Nothing else comes back: a receipted marker published after the acks is the next message.
        await client.publish({ destination: queue, body: 'marker', receipt: true });
        const all = await client.messages(sub, 4);
        assert.equal(all[3].body, 'marker');
      });

      it('delivers what a committed transaction sent, and nothing of an aborted one', async () => {
        const client = await connectedClient();
        const queue = newQueue('tx');
        const sub = await client.subscribe(queue);
        const aborted = await client.call('begin');
        await client.publish({ destination: queue, body: 'aborted', headers: { transaction: aborted.txId } });
        assert.equal(await client.call('abort', [aborted.index]), 'ok');
        const committed = await client.call('begin');
        await client.publish({ destination: queue, body: 'committed 1', headers: { transaction: committed.txId } });
        await client.publish({ destination: queue, body: 'committed 2', headers: { transaction: committed.txId } });
        assert.equal(await client.call('commit', [committed.index]), 'ok');
        assert.equal(await client.publish({ destination: queue, body: 'after', receipt: true }), 'ok');
        // The queue keeps order: had the aborted message been delivered, it would come first.
        const got = await client.messages(sub, 3);
        assert.deepEqual(got.map((m) => m.body), ['committed 1', 'committed 2', 'after']);
      });

      it('settles publish() on its RECEIPT, and reports a RECEIPT nobody waited for', async () => {
        const client = await connectedClient();
        const queue = newQueue('receipt');
        assert.equal(await client.publish({ destination: queue, body: 'confirmed', headers: { persistent: 'true' }, receipt: true }), 'ok');
        await client.subscribe(queue, { receipt: 'my-own-receipt' });
        const [unhandled] = await client.call('events', ['unhandledReceipt', 1]);
        assert.equal(unhandled.receiptId, 'my-own-receipt');
      });

      it('finds a frozen link by heart-beats, replaces it, and its subscription works again', async () => {
        const client = await connectedClient({ heartbeat: { outgoing: 1000, incoming: 1000 } });
        const queue = newQueue('frozen');
        const sub = await client.subscribe(queue);
        assert.equal(await client.publish({ destination: queue, body: 'before', receipt: true }), 'ok');
        await client.messages(sub, 1);
        variant.freeze();
        try {
          const [lost] = await client.disconnected(1);
          assert.equal(lost.reason, 'Heart-beat lost');
        } finally {
          variant.thaw();
        }
        await client.connected(2);
        assert.equal(await client.publish({ destination: queue, body: 'after', receipt: true }), 'ok');
        const got = await client.messages(sub, 2);
        assert.deepEqual(got.map((m) => m.body), ['before', 'after']);
      });
    });
  }

  describe('RabbitMQ restarted mid-stream', function () {
    this.timeout(300000);

    it('restores every subscription and delivers every receipted publish, on every variant (0 lost)', async () => {
      const page = await openStompPage();
      const streams = [];
      for (const variant of variants) {
        const client = await StompProbe.create(page, variant.options());
        await client.connected();
        // Durable queue (RabbitMQ's default for /queue/), persistent messages, each acknowledged
        // as it arrives: a message the broker sent but the client never got is delivered again.
        const destination = newQueue('restart');
        const sub = await client.subscribe(destination, { ack: 'client-individual' }, true);
        await client.call('stream', [{ destination, window: 10, limit: 5000, headers: { persistent: 'true' } }]);
        streams.push({ variant, client, sub });
      }
      // Streaming before, during and after the restart: the broker goes down with SENDs in flight.
      for (const { client } of streams) assert.deepEqual((await client.call('confirmed', [20])).rejected, []);
      await restartRabbitMQ();
      for (const { client } of streams) {
        const { confirmed } = await client.describe().then((d) => d.stream);
        await client.call('confirmed', [confirmed + 20], { timeoutMs: 120000 });
      }

      const report = [];
      for (const { variant, client, sub } of streams) {
        const published = await client.call('finishStream');
        const state = await client.call('confirmed', [published], { timeoutMs: 60000 });
        assert.deepEqual(state.rejected, [], variant.name);
        const { received, distinct } = await client.call('distinct', [sub, published], { timeoutMs: 60000 });
        const { events } = await client.describe();
        const count = (type) => events.filter((e) => e.type === type).length;
        const errors = events.filter((e) => e.type === 'error').map((e) => e.message);
        report.push(
          `${variant.name}: ${distinct}/${published} distinct, ${received - distinct} duplicate(s), ` +
            `${count('connect')} connects, errors: ${JSON.stringify(errors)}`,
        );
        assert.equal(distinct, published, `${variant.name}: lost ${published - distinct}`);
        assert.ok(count('connect') >= 2, `${variant.name}: reconnected`);
      }
      console.log(report.map((line) => `      ${line}`).join('\n'));
    });
  });
});
