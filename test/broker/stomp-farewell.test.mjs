// Defect 20 of issue 11, the links Resock drops by itself: reconnect() (the app's, or resock/stomp's
// after a lost heart-beat), pagehide, close(). A client that stops polling between two polls gives
// the SockJS server no sign that it left: sockjs-node keeps the session for its disconnect_delay
// (5 s), and the old STOMP session, with its subscription, lives on at the broker and takes its
// share of the queue, lost with ack:auto. resock/stomp leaves a DISCONNECT as the farewell of its
// Resock's link, which the link sends last as it lets go.
//
// The link is dropped from a message handler, when no poll is open: sockjs-node closes a session
// at once when an open poll is aborted (an idle link needs no farewell there), not between polls.
// What the broker had already handed to the dropped link is lost with ack:auto whatever the client
// does, and so is what it hands the old session before that session is gone (RabbitMQ closes the
// connection once it has): so the producer pauses at the drop, and streams on from the moment the
// old link ended, while the consumer reconnects.
import assert from 'node:assert/strict';
import { withDeadline } from '../support/deadline.mjs';
import { startRelay } from './relay.mjs';
import { openStompPage, StompProbe } from './stomp-page.mjs';

const RUN = Date.now().toString(36);
const WEB_STOMP_URL = 'ws://127.0.0.1:15674/ws';
const STREAM = { window: 5, limit: 100000 };

describe('resock/stomp: a link its Resock drops ends its broker session first (ack:auto, nothing lost)', function () {
  this.timeout(120000);
  let relay;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  const cases = [
    { transport: 'xhr-polling', how: 'reconnect' },
    { transport: 'jsonp-polling', how: 'reconnect' },
    { transport: 'xhr-polling', how: 'pagehide' },
  ];
  for (const { transport, how } of cases) {
    it(`${transport}, ${how}: the old link's DISCONNECT ends its broker session; a producer streaming across the reconnect loses nothing`, async () => {
      // A relay of its own: its links are this consumer's only. The producer goes straight to Web-STOMP.
      relay = await startRelay();
      const page = await openStompPage();
      const consumer = await StompProbe.create(page, { kind: 'resock', url: relay.url(), transport });
      const producer = await StompProbe.create(page, { kind: 'websocket', url: WEB_STOMP_URL });
      await consumer.connected();
      await producer.connected();
      const destination = `/queue/resock-${RUN}-farewell-${transport}-${how}`;
      const sub = await consumer.subscribe(destination);
      const numbered = [];
      const publish = async (body) => {
        assert.equal(await producer.publish({ destination, body, receipt: true }), 'ok');
        numbered.push(body);
      };
      for (let i = 0; i < 10; i++) await publish(`before ${i}`);
      await consumer.bodiesUntil(sub, 'before 9');

      await consumer.call('dropLinkOn', ['drop here', how]);
      assert.equal(await producer.publish({ destination, body: 'drop here', receipt: true }), 'ok');
      await withDeadline(relay.untilForwarded(1, 'DISCONNECT'), {
        what: 'the DISCONNECT of the dropped link to reach the broker',
        timeoutMs: 30000,
        explain: async () => JSON.stringify(relay.forwarded()),
      });
      const endedBy = await withDeadline(relay.untilEnded(1), { what: 'the session of the dropped link to end', timeoutMs: 30000 });
      assert.equal(endedBy, 'broker', 'ended by the DISCONNECT, not by the SockJS server 5 s later');
      await producer.call('stream', [{ destination, ...STREAM }]);
      if (how === 'pagehide') await consumer.call('pageshow');
      await consumer.connected(2);
      const { confirmed } = (await producer.describe()).stream;
      await producer.call('confirmed', [confirmed + 20]); // and on, after the new link connected
      const published = await producer.call('finishStream');
      assert.deepEqual((await producer.call('confirmed', [published])).rejected, []);
      for (let i = 0; i < published; i++) numbered.push(String(i));

      // The old session is gone, so the consumer is the queue's only one: a last message reaches
      // it after every message published before it.
      await publish('last');
      const received = new Set(await consumer.bodiesUntil(sub, 'last'));
      const lost = numbered.filter((body) => !received.has(body));
      assert.deepEqual(lost, [], `${lost.length} of ${numbered.length} lost`);
      // The old link said nothing after its DISCONNECT; the new one began with CONNECT.
      const commands = (n) => relay.forwarded().filter((f) => f.link === n && f.command).map((f) => f.command);
      assert.equal(commands(1).at(-1), 'DISCONNECT');
      assert.deepEqual(commands(2).slice(0, 2), ['CONNECT', 'SUBSCRIBE']);
    });
  }
});
