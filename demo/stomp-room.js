// The shared room: STOMP 1.2 (resock/stomp) over its own Resock to the demo server's /stomp
// endpoint, which relays to a broker. Every demo server on that broker relays the same topic.

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
    if (body && typeof body.text === 'string' && typeof body.nick === 'string') onMessage(body);
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
