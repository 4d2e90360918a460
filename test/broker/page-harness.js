// Runs in the test page after dist/resock.min.js and dist/resock-stomp.min.js. The broker tests
// (in Node, through puppeteer) create STOMP clients with it and wait for what they report,
// without polling: every wait is a promise settled when the awaited event is recorded.
'use strict';
(() => {
  const clients = [];

  const summarize = {
    connect: (d) => ({ version: d.version }),
    disconnect: (d) => ({ reason: d.reason }),
    error: (d) => ({ message: d.message, body: d.frame ? d.frame.body : undefined }),
    unhandledReceipt: (frame) => ({ receiptId: frame.headers['receipt-id'] }),
  };

  class Watched {
    constructor(client) {
      this.client = client;
      this.events = []; // connect, disconnect, error, unhandledReceipt, in order
      this.subscriptions = new Map(); // id → received messages
      this.transactions = [];
      this.stream = { published: 0, confirmed: 0, rejected: [], done: false };
      this.waiters = new Set();
      this.traffic = []; // the debug hook's last lines, to explain a wait that ran out
      for (const type of Object.keys(summarize)) {
        client.on(type, (detail) => {
          this.events.push({ type, ...summarize[type](detail) });
          this.wake();
        });
      }
    }

    wake() {
      for (const check of [...this.waiters]) check();
    }

    /** Resolves with what `read()` returns once it is neither undefined nor false. */
    until(read) {
      return new Promise((resolve) => {
        const check = () => {
          const value = read();
          if (value === undefined || value === false) return;
          this.waiters.delete(check);
          resolve(value);
        };
        this.waiters.add(check);
        check();
      });
    }

    ofType(type) {
      return this.events.filter((event) => event.type === type);
    }

    describe() {
      const subscriptions = {};
      for (const [id, list] of this.subscriptions) subscriptions[id] = list.length;
      const { published, confirmed, rejected, done } = this.stream;
      const traffic = this.traffic.map((line) => line.slice(0, 120));
      return { connected: this.client.connected, events: this.events, subscriptions, stream: { published, confirmed, rejected, done }, traffic };
    }
  }

  const watched = (id) => {
    const found = clients[id];
    if (!found) throw new Error(`no client ${id}`);
    return found;
  };
  const messageOf = (m) => ({ body: m.body, headers: m.headers });
  const settle = (promise) => promise.then(() => 'ok', (error) => `rejected: ${error.message}`);

  window.stompHarness = {
    /**
     * A StompClient over `new WebSocket(url, 'v12.stomp'…)` (kind 'websocket') or over
     * `new Resock(url, { transports })` (kind 'resock'), activated.
     */
    create({ kind, url, transport, heartbeat }) {
      let w;
      const note = (line) => {
        w.traffic.push(line);
        if (w.traffic.length > 12) w.traffic.shift();
      };
      const webSocketFactory = () => {
        const socket =
          kind === 'websocket'
            ? new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp'])
            : new Resock(url, { transports: transport, reconnect: { minDelay: 100, maxDelay: 1000 } });
        note(`(new ${kind})`);
        w.socket = socket;
        for (const type of ['open', 'close', 'reconnecting']) {
          socket.addEventListener(type, (e) => note(`(${type}${e.code ? ` ${e.code} ${e.reason}` : ''}${e.detail ? ` ${JSON.stringify(e.detail.lastClose)}` : ''})`));
        }
        return socket;
      };
      const client = new ResockStomp.StompClient({
        webSocketFactory,
        debug: note,
        connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
        heartbeat: heartbeat || { outgoing: 10000, incoming: 10000 },
        reconnectDelay: 200,
      });
      clients.push((w = new Watched(client)));
      client.activate();
      return clients.length - 1;
    },

    /** Subscribes; with `ackEach`, every message is acknowledged as it arrives. Returns the subscription id. */
    subscribe(id, destination, headers, ackEach) {
      const w = watched(id);
      const list = [];
      const subscription = w.client.subscribe(
        destination,
        (message) => {
          list.push(message);
          if (message.body === w.dropOn?.body) w.dropOn.drop();
          if (ackEach) message.ack();
          w.wake();
        },
        headers,
      );
      w.subscriptions.set(subscription.id, list);
      return subscription.id;
    },

    /** The first `count` messages of a subscription, once that many arrived. */
    messages(id, subscriptionId, count) {
      const w = watched(id);
      const list = w.subscriptions.get(subscriptionId);
      return w.until(() => list.length >= count && list.slice(0, count).map(messageOf));
    },

    /** The bodies received on a subscription, in order, once one of them is `body`. */
    bodiesUntil(id, subscriptionId, body) {
      const w = watched(id);
      const list = w.subscriptions.get(subscriptionId);
      return w.until(() => list.some((m) => m.body === body) && list.map((m) => m.body));
    },

    /** Once `count` different bodies arrived on a subscription: how many arrived in all, and how many distinct. */
    distinct(id, subscriptionId, count) {
      const w = watched(id);
      const list = w.subscriptions.get(subscriptionId);
      return w.until(() => {
        const bodies = new Set(list.map((m) => m.body));
        return bodies.size >= count && { received: list.length, distinct: bodies.size };
      });
    },

    ack(id, subscriptionId, index, headers) {
      watched(id).subscriptions.get(subscriptionId)[index].ack(headers);
    },

    nack(id, subscriptionId, index, headers) {
      watched(id).subscriptions.get(subscriptionId)[index].nack(headers);
    },

    /** 'ok' once sent (or on its RECEIPT when asked for), else 'rejected: …'. */
    publish(id, params) {
      return settle(watched(id).client.publish(params));
    },

    /** Begins a transaction; returns its index for commit()/abort() and its id for headers. */
    begin(id) {
      const w = watched(id);
      const tx = w.client.begin();
      w.transactions.push(tx);
      return { index: w.transactions.length - 1, txId: tx.id };
    },

    commit(id, index) {
      return settle(watched(id).transactions[index].commit());
    },

    abort(id, index) {
      return settle(watched(id).transactions[index].abort());
    },

    /** The events of this type once there are `count` of them. */
    events(id, type, count) {
      const w = watched(id);
      return w.until(() => w.ofType(type).length >= count && w.ofType(type));
    },

    /**
     * Publishes messages `0`, `1`, `2`… with receipts, at most `window` awaiting their RECEIPT at a
     * time, in the background, until finishStream() (or `limit`). stream() returns at once.
     */
    stream(id, { destination, window, limit, headers }) {
      const w = watched(id);
      const inFlight = new Set();
      w.stream.running = new Promise((resolve) => (w.stream.stop = resolve));
      const stopped = w.stream.running.then(() => 'stop');
      void (async () => {
        for (let i = 0; i < limit; i++) {
          while (inFlight.size >= window) await Promise.race(inFlight);
          if ((await Promise.race([stopped, 'go'])) === 'stop') break;
          w.stream.published++;
          const sent = w.client
            .publish({ destination, body: String(i), headers, receipt: true })
            .then(
              () => w.stream.confirmed++,
              (error) => w.stream.rejected.push(`${i}: ${error.message}`),
            )
            .then(() => {
              inFlight.delete(sent);
              w.wake();
            });
          inFlight.add(sent);
        }
        w.stream.done = true;
        w.wake();
      })();
    },

    /** Stops the stream; resolves with how many messages it published, once it published its last. */
    finishStream(id) {
      const w = watched(id);
      w.stream.stop();
      return w.until(() => w.stream.done && w.stream.published);
    },

    /** Once `count` messages of the stream were confirmed by a RECEIPT (or one was rejected). */
    confirmed(id, count) {
      const w = watched(id);
      return w.until(() => (w.stream.confirmed >= count || w.stream.rejected.length > 0) && { published: w.stream.published, confirmed: w.stream.confirmed, rejected: w.stream.rejected });
    },

    /** Drops the link of the client's current Resock and makes another (Resock's reconnect()). */
    reconnectSocket(id) {
      watched(id).socket.reconnect();
      return 'ok';
    },

    /**
     * When a message with this body arrives, the client's Resock drops its link from the message
     * handler (no poll is open then): `how` is 'reconnect' (its reconnect()) or 'pagehide' (the
     * page's pagehide event; 'pageshow' brings it back).
     */
    dropLinkOn(id, body, how) {
      const w = watched(id);
      const drop = how === 'reconnect' ? () => w.socket.reconnect() : () => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
      w.dropOn = { body, drop };
    },

    pageshow() {
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    },

    deactivate(id) {
      return settle(watched(id).client.deactivate());
    },

    describe(id) {
      return watched(id).describe();
    },
  };
})();
