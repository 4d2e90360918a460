// Defect 20 of issue 11: after a broker ERROR that leaves the STOMP connection open (RabbitMQ's
// "Unknown destination"), resock/stomp on a polling transport must end the broker's session before
// it lets go of the link. A SockJS session on xhr-polling or jsonp-polling ends only when its
// client has stopped polling for the server's disconnect_delay (5 s in sockjs-node): until then
// the old STOMP session, and its subscription, lives on at the broker and takes its share of the
// queue, and with ack:auto those messages are lost.
import assert from 'node:assert/strict';
import { withDeadline } from '../support/deadline.mjs';
import { startRelay } from './relay.mjs';
import { openStompPage, StompProbe } from './stomp-page.mjs';

const RUN = Date.now().toString(36);

describe('resock/stomp after a broker ERROR on a polling transport', function () {
  this.timeout(120000);
  let relay;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  for (const transport of ['xhr-polling', 'jsonp-polling']) {
    it(`${transport}: the session the ERROR ended takes no message away (ack:auto, nothing lost)`, async () => {
      // A relay of its own: its links are this test's only.
      relay = await startRelay();
      const page = await openStompPage();
      const client = await StompProbe.create(page, { kind: 'resock', url: relay.url(), transport });
      await client.connected();
      const queue = `/queue/resock-${RUN}-after-error-${transport}`;
      const sub = await client.subscribe(queue);
      assert.equal(await client.publish({ destination: queue, body: 'first', receipt: true }), 'ok');
      await client.bodiesUntil(sub, 'first');

      // RabbitMQ answers ERROR and keeps the STOMP connection open; the client starts another.
      assert.equal(await client.publish({ destination: '/no-such-kind/of-destination', body: 'x' }), 'ok');
      const [error] = await client.call('events', ['error', 1]);
      assert.match(error.message, /Unknown destination/);
      await client.connected(2);

      const bodies = Array.from({ length: 20 }, (_, i) => `after ${i}`);
      for (const body of bodies) assert.equal(await client.publish({ destination: queue, body, receipt: true }), 'ok');
      // Once the first link is gone this client is the queue's only consumer, so a last message
      // reaches it after every message published before it.
      await withDeadline(relay.untilLinks(1), { what: 'the first link of the relay to end', timeoutMs: 30000 });
      assert.equal(await client.publish({ destination: queue, body: 'last', receipt: true }), 'ok');
      assert.deepEqual(await client.bodiesUntil(sub, 'last'), ['first', ...bodies, 'last']);
    });
  }
});
