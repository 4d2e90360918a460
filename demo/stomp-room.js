// The shared room: STOMP 1.2 (resock/stomp) over its own Resock to the demo server's /stomp
// endpoint, which relays to a broker. Every demo server on that broker relays the same topic.

/**
 * A chat message from the topic, with only the fields the page shows, each of its type, or null.
 * Anyone with a STOMP session can publish there, and no server checks it on the way: a `ts` that
 * is no time or a `cid` that is no string threw where the page drew it.
 */
function chatMessage(body) {
  if (!body || typeof body.text !== 'string' || typeof body.nick !== 'string') return null;
  const nick = body.nick.trim().slice(0, 24);
  const text = body.text.slice(0, 2000);
  if (!nick || !text.trim()) return null;
  const ts = Number.isFinite(body.ts) && Math.abs(body.ts) <= 8.64e15 ? body.ts : Date.now();
  const string = (value, max) => (typeof value === 'string' ? value.slice(0, max) : '');
  return { nick, text, ts, cid: string(body.cid, 64), via: string(body.via, 64) || 'STOMP' };
}

/**
 * Starts the STOMP client. `onMessage(body)` gets each chat message published on the topic
 * (ours included: that is the delivery receipt); `log(text, level)` feeds the timeline.
 */
export function startStompRoom({ Resock, StompClient, info, clientId, resockOptions, onMessage, onChange, log }) {
  let socket = null;
  const client = new StompClient({
    // Given a Resock, the STOMP client follows its reconnections: CONNECT and SUBSCRIBE again,
    // then whatever was published meanwhile.
    webSocketFactory: () => (socket = new Resock(`${info.url}?client=${encodeURIComponent(clientId)}`, resockOptions)),
    heartbeat: { outgoing: 10000, incoming: 10000 },
  });
  client.on('connect', ({ version }) => {
    log(`STOMP ${version} session open over ${socket && socket.transport}, subscribed to ${info.destination}`, 'ok');
    onChange();
  });
  client.on('disconnect', ({ reason }) => {
    log(`STOMP session ended: ${reason}`, 'warn');
    onChange();
  });
  client.on('error', ({ message }) => log(`STOMP error: ${message}`, 'error'));
  client.subscribe(info.destination, (message) => {
    let body;
    try {
      body = JSON.parse(message.body);
    } catch {
      return;
    }
    const chat = chatMessage(body);
    if (chat) onMessage(chat);
  });
  client.activate();

  return {
    get connected() {
      return client.connected;
    },
    get transport() {
      return socket ? socket.transport : null;
    },
    /** Publishes now, or after the next CONNECTED. Throws QueueOverflowError when too much waits. */
    publish(payload) {
      client
        .publish({ destination: info.destination, body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } })
        .catch((error) => log(`STOMP publish failed: ${error.message}`, 'error'));
    },
    stop: () => client.deactivate(),
  };
}
