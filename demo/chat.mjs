// The chat itself: rooms, nicknames, a short history per room, ping/pong for the page's
// round-trip sparkline, and the control messages behind the resilience buttons.
//
// Protocol: one JSON object per SockJS message.
//   page → server  join {room, nick, since}     say {room, nick, text, cid}
//                  ping {t}                      control {ref, action: drop | block-websocket |
//                                                              allow-websocket | offline}
//   server → page  welcome {clientId, transport, wsBlocked, rooms, stomp, node, cluster}   rooms {rooms}
//                  refused {room, current, cid?, text}: no room for it (the others all in use)
//                  joined {room, history}        message {id, room, nick, text, cid, ts, via}
//                  presence {room, members}      pong {t, ts}
//                  control {action, wsBlocked?, until?}   trace {at, text, level}
//
// Every `say` names its room and nick, so the messages a page queued while offline make
// sense to the server even though they arrive before that page's `join`.
//
// Cluster mode (a `bus` given): a `say` is published to the bus, and every node (this one too)
// delivers what the bus carries to its own members. The node that took the `say` gives it its id
// (time-based, so a page that moves to another node keeps one numbering), and every node drops a
// `cid` it has already delivered: a POST re-sent after its link died, or a page that reconnected
// to another node and sent again, is one message.
import { parseChatUrl } from './faults.mjs';

export const DEFAULT_ROOMS = ['lobby', 'transports', 'random'];
const HISTORY = 200; // messages kept per room
const CATCH_UP = 100; // most messages sent back on join
export const MAX_ROOMS = 50; // past it, a new room takes the place of the least used one nobody is in
const MAX_TEXT = 2000;
const MAX_CLIENTS = 5000;
const OFFLINE_MS = 5000;
const REMEMBERED_CIDS = 20000; // per node: far more than a few minutes of chat
// Cluster mode: ids are time-based (Date.now() · 1000, so a page that moves to another node keeps
// one numbering), and each node takes only the ids of its own slot (id mod ID_SLOTS = the number of
// its name, n1…nN from demo/cluster.mjs): two nodes never give one id in the same millisecond (a
// page keeps one message per id, and dropped the other one).
const ID_SLOTS = 32;
// Cluster mode: nodes hear the bus in different orders, so a page's last id does not say it has
// every smaller one; a join sends back the history of this long before it too (the page keeps one
// message per id).
const CATCH_UP_SKEW_MS = 5000;

/**
 * A field of a page's message as a string: '' for anything else. A message is any JSON, and
 * String() of an object whose toString is not a function throws (`{"toString":1}`).
 */
const asText = (value) => (typeof value === 'string' ? value : '');
// Control characters, and the bidi controls: a nick with U+202E (right-to-left override) turned
// the rest of the member list around ('2 people here: (tekcosbew) bob ,(tekcosbew) live').
const cleanNick = (nick) =>
  asText(nick)
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .slice(0, 24);
const cleanRoom = (room) =>
  asText(room)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);

const validId = (id) => typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id);

/**
 * `node`: this node's name, told to pages in `welcome`. `bus`: `{ publish(message) }` that hands
 * every published message back through the returned `deliver`. `onKillRequest`: the cluster
 * demo's "kill this node" button (absent, the button is refused).
 */
export function createChat(sockjsServer, { prefix, faults, stomp = null, node = null, bus = null, onKillRequest = null, maxRooms = MAX_ROOMS }) {
  // What the page needs to join the shared STOMP room, when the server relays to a broker.
  const stompInfo = stomp && { url: stomp.prefix, broker: stomp.broker, destination: '/topic/resock-demo.chat' };
  const rooms = new Map(DEFAULT_ROOMS.map((name) => [name, { name, messages: [], usedAt: 0 }]));
  const clients = new Map(); // clientId → { id, nick, room, conn, transport, traces }
  let seq = 0;
  let lastId = 0;
  const deliveredCids = new Set();
  const conns = new Set(); // every open SockJS connection, for the drain
  const sessions = new Set(); // their session ids: a draining node serves these, and no new one
  let draining = null; // { code, reason } once the node drains
  let drained = () => {}; // wakes the drain when a connection closes
  const idSlot = Number(/\d+$/.exec(node || '')?.[0] || 0) % ID_SLOTS;
  /** Ids that stay increasing when a page moves to another node of the cluster, unique across nodes. */
  const nextId = () => {
    if (!bus) return ++seq;
    const next = Math.max(lastId + 1, Date.now() * 1000);
    return (lastId = next + ((idSlot - (next % ID_SLOTS) + ID_SLOTS) % ID_SLOTS));
  };

  const send = (conn, message) => conn && conn.write(JSON.stringify(message));
  const online = () => [...clients.values()].filter((c) => c.conn);
  const membersOf = (room) => online().filter((c) => c.room === room);
  const roomList = () => [...rooms.keys()].map((name) => ({ name, members: membersOf(name).length }));

  function broadcastPresence(room) {
    if (!room) return;
    const members = membersOf(room).map((c) => ({ nick: c.nick, transport: c.transport }));
    for (const c of membersOf(room)) send(c.conn, { type: 'presence', room, members });
  }
  function broadcastRooms() {
    const list = roomList();
    for (const c of online()) send(c.conn, { type: 'rooms', rooms: list });
  }
  /** The room, made if need be: null when the name is empty, or every room has people in it. */
  function roomFor(name) {
    const clean = cleanRoom(name);
    if (!clean) return null;
    if (!rooms.has(clean) && rooms.size >= maxRooms) forgetARoom();
    if (!rooms.has(clean) && rooms.size < maxRooms) rooms.set(clean, { name: clean, messages: [], usedAt: 0 });
    const room = rooms.get(clean) || null;
    if (room) room.usedAt = Date.now();
    return room;
  }
  /**
   * Makes space for a new room: the least used one that nobody is in, its history with it. Without
   * this, the rooms anyone ever made stayed, and once there were MAX_ROOMS no new one could be.
   */
  function forgetARoom() {
    const occupied = new Set(online().map((c) => c.room));
    let oldest = null;
    for (const room of rooms.values()) {
      if (DEFAULT_ROOMS.includes(room.name) || occupied.has(room.name)) continue;
      if (!oldest || room.usedAt < oldest.usedAt) oldest = room;
    }
    if (oldest) rooms.delete(oldest.name);
  }
  /** Tells a page that a room it asked for (or said something in) could not be made. */
  function refuse(client, roomName, cid) {
    const room = cleanRoom(roomName);
    if (!room) return;
    const text = `#${room} cannot be opened now: the server keeps at most ${maxRooms} rooms, and has people in every one it could give up.`;
    send(client.conn, { type: 'refused', room, current: client.room, ...(cid ? { cid } : {}), text });
  }
  function clientFor(id) {
    let client = clients.get(id);
    if (!client) {
      client = { id, nick: 'guest', room: null, conn: null, links: new Map(), transport: null, sessionId: null, traces: [], controls: [] };
      clients.set(id, client);
      if (clients.size > MAX_CLIENTS) {
        const idle = [...clients.values()].find((c) => !c.conn);
        if (idle) clients.delete(idle.id);
      }
    }
    return client;
  }

  /** What the server saw of a client's requests: sent now, or kept for its next connection. */
  function trace(clientId, text, level = 'info') {
    if (!validId(clientId)) return;
    const entry = { type: 'trace', at: Date.now(), text, level };
    const client = clientFor(clientId);
    if (client.conn) send(client.conn, entry);
    else client.traces = client.traces.concat(entry).slice(-30);
  }

  const handlers = {
    join(client, { room: roomName, nick, since }) {
      const room = roomFor(roomName);
      if (!room) return refuse(client, roomName);
      const previous = client.room;
      client.nick = cleanNick(nick) || client.nick;
      client.room = room.name;
      const after = (Number.isFinite(since) ? since : 0) - (bus ? CATCH_UP_SKEW_MS * 1000 : 0);
      send(client.conn, { type: 'joined', room: room.name, history: room.messages.filter((m) => m.id > after).slice(-CATCH_UP) });
      if (previous && previous !== room.name) broadcastPresence(previous);
      broadcastPresence(room.name);
      broadcastRooms();
    },
    say(client, { room: roomName, nick, text, cid }) {
      const body = asText(text).slice(0, MAX_TEXT);
      if (!body.trim()) return;
      const room = roomFor(roomName);
      if (!room) return refuse(client, roomName, asText(cid).slice(0, 64));
      const message = {
        type: 'message',
        id: nextId(),
        room: room.name,
        nick: cleanNick(nick) || client.nick,
        text: body,
        cid: asText(cid).slice(0, 64),
        ts: Date.now(),
        via: client.transport,
        node,
      };
      if (bus) bus.publish(message);
      else deliver(message);
    },
    ping(client, { t }) {
      send(client.conn, { type: 'pong', t, ts: Date.now() });
    },
    control(client, message) {
      const { id, conn, sessionId } = client;
      const action = asText(message.action);
      const ref = asText(message.ref);
      // A POST to xhr_send that was still in flight when the link died is sent again on the
      // next link (resock cannot know whether it arrived): the same request may come twice.
      const key = ref.slice(0, 64);
      if (key && client.controls.includes(key)) {
        trace(id, `ignored a repeated “${action}” request (its POST was re-sent after the link died)`, 'info');
        return;
      }
      if (key) client.controls = client.controls.concat(key).slice(-50);
      if (action === 'drop') {
        setImmediate(() => faults.drop(id, sessionId));
      } else if (action === 'block-websocket' || action === 'allow-websocket') {
        const blocked = action === 'block-websocket';
        faults.setWebSocketBlocked(id, blocked);
        send(conn, { type: 'control', action, wsBlocked: blocked });
        trace(id, blocked ? 'WebSocket upgrades from you will be refused' : 'WebSocket upgrades from you are allowed again', 'info');
        // Only a new connection tries WebSocket again: cut the current one if it is a WebSocket.
        if (blocked && client.transport === 'websocket') setImmediate(() => faults.drop(id, sessionId));
      } else if (action === 'kill-node') {
        if (!onKillRequest) return trace(id, 'this server is not a cluster node: it stays up', 'warn');
        onKillRequest(client);
      } else if (action === 'offline') {
        const until = Date.now() + OFFLINE_MS;
        send(conn, { type: 'control', action, until });
        setImmediate(() => faults.goOffline(id, sessionId, until - Date.now()));
      }
    },
  };

  /**
   * A room message with the fields pages draw, each of its type, or null. What comes from the bus
   * is not only ours: anyone with a session on its RabbitMQ can publish to the exchange (a page
   * can, through the STOMP relay, when a node has both), and a nick that is no string threw in
   * every page that drew it.
   */
  function chatMessage(m) {
    if (!m || typeof m !== 'object' || !Number.isSafeInteger(m.id) || m.id <= 0) return null;
    const nick = cleanNick(m.nick);
    const text = asText(m.text).slice(0, MAX_TEXT);
    if (!nick || !text.trim()) return null;
    const orNull = (value) => (typeof value === 'string' ? value.slice(0, 64) : null);
    const ts = Number.isFinite(m.ts) && Math.abs(m.ts) <= 8.64e15 ? m.ts : Date.now();
    return { type: 'message', id: m.id, room: asText(m.room), nick, text, cid: asText(m.cid).slice(0, 64), ts, via: orNull(m.via), node: orNull(m.node) };
  }

  /** A room message to this node's members, once per `cid`; from `say`, or from the bus. */
  function deliver(raw) {
    const message = chatMessage(raw);
    const room = message && roomFor(message.room);
    if (!room) return;
    message.room = room.name;
    if (message.cid) {
      if (deliveredCids.has(message.cid)) return;
      deliveredCids.add(message.cid);
      if (deliveredCids.size > REMEMBERED_CIDS) deliveredCids.delete(deliveredCids.values().next().value);
    }
    room.messages.push(message);
    if (room.messages.length > HISTORY) room.messages.shift();
    for (const member of membersOf(room.name)) send(member.conn, message);
  }

  /**
   * Closes every session with `code` (1012 "service restart": come back at once, elsewhere) and
   * every later one as soon as it opens. Resolves when all have closed or after `graceMs`: an HTTP
   * session reports its close only after sockjs-node's disconnect delay, but its close frame went
   * out at once (or goes with its next poll, which comes at once).
   */
  function drain({ code = 1012, reason = 'Service restart', graceMs = 1000 } = {}) {
    draining = { code, reason };
    for (const conn of conns) conn.close(code, reason);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      drained = () => {
        if (conns.size > 0) return;
        clearTimeout(timer);
        resolve();
      };
      drained();
    });
  }

  /**
   * Makes `conn` the client's link. A page that reconnects replaces its previous link, which may
   * take a while to time out; and while a page races transports (WebSocket, then HTTP streaming
   * beside it), the loser's session can reach us after the winner's. So the link is the newest
   * one, until the page speaks over another.
   */
  function adopt(client, conn) {
    client.conn = conn;
    client.sessionId = client.links.get(conn);
    client.transport = conn.protocol;
  }

  sockjsServer.on('connection', (conn) => {
    if (draining) {
      conn.close(draining.code, draining.reason);
      return;
    }
    conns.add(conn);
    const { clientId, sessionId } = parseChatUrl(conn.url, prefix) || {};
    if (sessionId) sessions.add(sessionId);
    conn.on('close', () => {
      conns.delete(conn);
      sessions.delete(sessionId);
      drained();
    });
    if (!validId(clientId)) {
      // 4000–4999: the application's "do not come back" — resock will not reconnect.
      conn.close(4001, 'The URL needs ?client=<id>');
      return;
    }
    const client = clientFor(clientId);
    client.links.set(conn, sessionId);
    adopt(client, conn);
    const wsBlocked = faults.isWebSocketBlocked(clientId);
    send(conn, { type: 'welcome', clientId, transport: conn.protocol, wsBlocked, rooms: roomList(), stomp: stompInfo, node, cluster: !!bus });
    for (const entry of client.traces.splice(0)) send(conn, entry);

    conn.on('data', (raw) => {
      if (client.conn !== conn) adopt(client, conn);
      let message;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      const handler = message && Object.prototype.hasOwnProperty.call(handlers, message.type) && handlers[message.type];
      if (handler) handler(client, message);
    });
    conn.on('close', () => {
      client.links.delete(conn);
      if (client.conn !== conn) return;
      client.conn = null;
      const other = [...client.links.keys()].pop(); // a link it raced with, or the one it moved to
      if (other) return adopt(client, other);
      broadcastPresence(client.room);
      broadcastRooms();
    });
  });

  return {
    trace,
    rooms,
    clients,
    deliver,
    drain,
    /** True while draining, for a request that is not of a session this node already has. */
    refusesNew: (sessionId) => !!draining && !sessions.has(sessionId),
  };
}
