// The demo's resilience buttons, done where a real outage happens: on the server, on the
// network path, per client. Every request resock makes carries the base URL's query string,
// so `/chat?client=<id>` tells which page a request, a poll or a WebSocket upgrade belongs to.
//
// A refused request has its socket destroyed before sockjs-node sees it: to the browser this
// looks exactly like a cut network (a failed fetch, a WebSocket that errors), not like an
// answer from the server, so resock's own fallback and reconnection do the rest.

/** SockJS endpoints that receive: the link itself, as opposed to `xhr_send` and `jsonp_send`. */
const RECEIVERS = new Set(['websocket', 'xhr_streaming', 'eventsource', 'xhr', 'jsonp']);
const REMEMBERED = 2000; // sessions kept in the bounded sets below

/**
 * `{ clientId, sessionId, endpoint }` of a request below `prefix`, or null for another path, or
 * for a request target that is no URL at all (`//[`: this runs for every request, and a throw
 * here would end the server).
 */
export function parseChatUrl(rawUrl, prefix) {
  let url;
  try {
    url = new URL(rawUrl || '/', 'http://demo.invalid');
  } catch {
    return null;
  }
  if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return null;
  const parts = url.pathname.slice(prefix.length + 1).split('/');
  const clientId = url.searchParams.get('client') || '';
  return parts.length === 3 ? { clientId, sessionId: parts[1], endpoint: parts[2] } : { clientId, sessionId: null, endpoint: parts[0] || '' };
}

/**
 * Installs the gate in front of sockjs-node's handlers (call after every `installHandlers`), for
 * the endpoints below `prefixes`. `trace(clientId, text, level)` hears what the server did, for
 * the page's timeline.
 */
export function installFaults(server, { prefixes, trace }) {
  const clients = new Map(); // clientId → { wsBlocked, offlineUntil, refused }
  const links = new Map(); // sessionId → Set of sockets of its receiving requests
  const sessionsOf = new Map(); // clientId → Set of its sessions with a receiving request open (chat and STOMP)
  const dead = new Set(); // sessions whose link was cut: every later request of theirs is cut too

  const stateOf = (clientId) => {
    let state = clients.get(clientId);
    if (!state) {
      state = { wsBlocked: false, offlineUntil: 0, refused: 0 };
      remember(clients, clientId, state);
    }
    return state;
  };

  /** True when the request was refused (its socket destroyed). */
  function gate(req, socket, done, isUpgrade) {
    const target = prefixes.map((prefix) => parseChatUrl(req.url, prefix)).find(Boolean);
    if (!target || !target.clientId) return false;
    const { clientId, sessionId, endpoint } = target;
    const state = clients.get(clientId);
    if (state && Date.now() < state.offlineUntil) {
      state.refused++;
      return refuse(socket);
    }
    if (state && state.refused) {
      trace(clientId, `was offline: ${state.refused} request${state.refused === 1 ? '' : 's'} of yours cut`, 'warn');
      state.refused = 0;
    }
    if (isUpgrade && state && state.wsBlocked) {
      trace(clientId, 'refused your WebSocket upgrade (blocked)', 'warn');
      return refuse(socket);
    }
    if (sessionId && dead.has(sessionId)) return refuse(socket);
    if (sessionId && RECEIVERS.has(endpoint)) track(clientId, sessionId, socket, done);
    return false;
  }

  /** Keeps the socket of a receiving request until `done` (its response or socket) closes. */
  function track(clientId, sessionId, socket, done) {
    let sockets = links.get(sessionId);
    if (!sockets) links.set(sessionId, (sockets = new Set()));
    sockets.add(socket);
    let sessions = sessionsOf.get(clientId);
    if (!sessions) remember(sessionsOf, clientId, (sessions = new Set()));
    sessions.add(sessionId);
    done.once('close', () => {
      sockets.delete(socket);
      if (sockets.size) return;
      if (links.get(sessionId) === sockets) links.delete(sessionId);
      sessions.delete(sessionId);
      if (!sessions.size && sessionsOf.get(clientId) === sessions) sessionsOf.delete(clientId);
    });
  }

  /** Cuts one session's link: no close frame, its sockets simply die, and so will its later requests. */
  function cut(sessionId) {
    remember(dead, sessionId);
    const sockets = links.get(sessionId);
    links.delete(sessionId);
    for (const socket of sockets || []) socket.destroy();
  }

  wrapListeners(server, 'request', (req, res) => gate(req, req.socket, res, false));
  wrapListeners(server, 'upgrade', (req, socket) => gate(req, socket, socket, true));

  return {
    /** Cuts the session's link, as a network would: no close frame, sockets simply die. */
    drop(clientId, sessionId) {
      if (!sessionId) return;
      cut(sessionId);
      trace(clientId, 'cut your link, no close frame', 'warn');
    },
    setWebSocketBlocked(clientId, blocked) {
      stateOf(clientId).wsBlocked = blocked;
    },
    isWebSocketBlocked: (clientId) => !!(clients.get(clientId) && clients.get(clientId).wsBlocked),
    /**
     * Refuses every request of this client for `ms`, and cuts every link it has (the chat's given
     * by `sessionId`, and any other, such as its STOMP link): a network that goes away takes all.
     */
    goOffline(clientId, sessionId, ms) {
      const state = stateOf(clientId);
      state.offlineUntil = Date.now() + ms;
      state.refused = 0;
      for (const other of sessionsOf.get(clientId) || []) if (other !== sessionId) cut(other);
      this.drop(clientId, sessionId);
      return state.offlineUntil;
    },
  };
}

function refuse(socket) {
  socket.destroy();
  return true;
}

/** Puts `filter` in front of the listeners the server has now (sockjs-node's among them). */
export function wrapListeners(server, event, filter) {
  const previous = server.listeners(event);
  server.removeAllListeners(event);
  server.on(event, function (...args) {
    if (filter(...args)) return;
    for (const listener of previous) listener.apply(this, args);
  });
}

/** Adds to a Set or Map that forgets its oldest entries past REMEMBERED. */
function remember(collection, key, value) {
  if (collection instanceof Map) collection.set(key, value);
  else collection.add(key);
  if (collection.size > REMEMBERED) collection.delete(collection.keys().next().value);
}
