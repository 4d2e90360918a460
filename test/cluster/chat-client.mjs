// A chat client of the cluster demo as the tests drive it: resock (built dist/) in Node, `ws` as
// its WebSocket, speaking the demo's chat protocol (demo/chat.mjs) the way the page does — join
// on every open with the last id seen, room messages kept once per id.
import { WebSocket } from 'ws';
import { Resock } from '../../dist/esm/index.js';
import { withDeadline } from '../support/deadline.mjs';

const ROOM = 'lobby';

/**
 * `ws`, with an 'error' listener from the start. `ws` emits 'error' when a socket still
 * connecting is closed, and throws it when nobody listens; resock's WebSocket transport drops its
 * handlers before `close()` (a browser WebSocket never throws there), so a connect timeout under
 * load would crash the test process. Reported to the client side; resock still sees every event.
 */
class NodeWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on('error', () => {});
  }
}

export class ChatClient {
  /** `base`: the cluster's URL; `id`: the client's name (also its `?client=` id). */
  constructor(base, { id, transport, options = {} }) {
    this.id = id;
    this.transport = transport;
    this.node = null; // the node of the current link, from its `welcome`
    this.nodes = []; // every node that welcomed this client, in order
    this.received = []; // room messages, once per id, in arrival order
    this.ids = new Map(); // id → cid
    this.idClashes = []; // two messages with one id: the second one is dropped, as the page drops it
    this.reconnects = []; // `reconnecting` details: { attempt, delay, lastClose }
    this.debugEvents = []; // [event, detail] from resock's `debug` option
    this.closed = null;
    this.sent = 0;
    this.lastId = 0;
    this.waiters = new Set();
    this.resock = new Resock(`${base}chat?client=${encodeURIComponent(id)}`, {
      transports: transport,
      WebSocket: NodeWebSocket,
      debug: (event, detail) => this.debugEvents.push([event, detail]),
      ...options,
    });
    this.resock.addEventListener('open', () => {
      this.resock.send(JSON.stringify({ type: 'join', room: ROOM, nick: id, since: this.lastId }));
    });
    this.resock.addEventListener('message', (event) => this.onMessage(JSON.parse(event.data)));
    this.resock.addEventListener('reconnecting', (event) => {
      this.node = null;
      this.reconnects.push({ ...event.detail, at: Date.now() });
      this.wake();
    });
    this.resock.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  onMessage(message) {
    if (message.type === 'welcome') {
      this.node = message.node;
      this.nodes.push(message.node);
    } else if (message.type === 'joined') {
      for (const m of message.history) this.keep(m);
    } else if (message.type === 'message') {
      this.keep(message);
    }
    this.wake();
  }

  /** A room message, once per id: history after a reconnect may repeat what arrived live. */
  keep(message) {
    if (this.ids.has(message.id)) {
      if (this.ids.get(message.id) !== message.cid) this.idClashes.push(`${this.id}: ${message.cid} has the id of ${this.ids.get(message.id)}`);
      return;
    }
    this.ids.set(message.id, message.cid);
    this.lastId = Math.max(this.lastId, message.id);
    this.received.push(message);
  }

  /** Says `text` in the room; `cid` = `<id>-<text>` names it for the checks. Returns the cid. */
  say(text) {
    const cid = `${this.id}-${text}`;
    this.sent++;
    this.resock.send(JSON.stringify({ type: 'say', room: ROOM, nick: this.id, text, cid }));
    return cid;
  }

  get isOpen() {
    return this.resock.readyState === Resock.OPEN && this.node !== null;
  }

  /** Texts received from `sender`, in arrival order. */
  textsFrom(sender) {
    return this.received.filter((m) => m.nick === sender).map((m) => m.text);
  }

  wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `predicate(this)` holds, checked on each event of this client; bounded. */
  until(predicate, what, timeoutMs) {
    let waiter;
    const holds = new Promise((resolve) => {
      waiter = () => predicate(this) && resolve();
      this.waiters.add(waiter);
      waiter();
    });
    return withDeadline(holds, {
      what: `${this.id} (${this.transport}): ${what}`,
      timeoutMs,
      explain: async () => `node ${this.node}, state ${this.resock.state}, ${this.received.length} received, reconnects ${JSON.stringify(this.reconnects.map((r) => r.lastClose))}`,
    }).finally(() => this.waiters.delete(waiter));
  }

  /** Open, welcomed by a node, and joined (its join went out first on the link). */
  opened(timeoutMs) {
    return this.until((c) => c.isOpen, 'open and welcomed', timeoutMs);
  }

  close() {
    this.resock.close();
  }
}

/**
 * Opens clients until `count` nodes each have one (the balancer hashes the random server_id, so
 * which node a client lands on is chance); the others are closed. At most `limit` clients.
 * Resolves with one client per node, ordered by node name.
 */
export async function onePerNode(base, { transport, nodes, idPrefix, limit = 40 }) {
  const kept = new Map();
  for (let i = 0; i < limit && kept.size < nodes.length; i++) {
    const client = new ChatClient(base, { id: `${idPrefix}${i}`, transport });
    await client.opened();
    if (kept.has(client.node)) client.close();
    else kept.set(client.node, client);
  }
  if (kept.size < nodes.length) throw new Error(`${limit} clients over ${transport} landed on ${[...kept.keys()].join(', ')} only`);
  return [...kept.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, client]) => client);
}
