// The SockJS↔STOMP relay of the broker tests: a sockjs-node 0.3.24 endpoint on 127.0.0.1 whose
// every session is piped to a new TCP connection to RabbitMQ's STOMP port. Data and closes go
// both ways. It can freeze: the links open at that moment stop forwarding (the SockJS session
// stays up, heartbeats and all) so that only STOMP heart-beats can tell the link is dead. It tells
// when a client's frame of a given command reached the broker.
import http from 'node:http';
import net from 'node:net';
import sockjs from 'sockjs';
import { onLoopback } from '../support/loopback.mjs';

export const STOMP_PORT = 61613;

/** Starts the relay. `url()` is the SockJS base URL to give Resock. */
export async function startRelay({ stompPort = STOMP_PORT, heartbeatDelay = 25000 } = {}) {
  const links = new Set();
  /** Checks of `untilLinks` and `untilForwarded` waiting, run whenever a link ends or forwards a client's frame. */
  const waiters = new Set();
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  /** Which side ended each link, by its number: 'broker' (the TCP connection closed first) or 'sockjs' (the session did). */
  const endedBy = {};
  const forget = (link, by) => {
    if (links.delete(link)) endedBy[link.number] = by;
    wake();
  };
  /** The commands of the client frames forwarded to the broker, each with its link's number (from 1). */
  const forwarded = [];
  let linkNumber = 0;
  /** Resolves once `read()` returns true, checked now and whenever a link ends or forwards a frame. */
  const until = (read) =>
    new Promise((resolve) => {
      const check = () => {
        if (!read()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const endpoint = sockjs.createServer({ heartbeat_delay: heartbeatDelay, log: () => {}, sockjs_url: '/sockjs.js' });

  endpoint.on('connection', (conn) => {
    const link = { conn, frozen: false, number: ++linkNumber };
    const tcp = (link.tcp = net.connect(stompPort, '127.0.0.1'));
    links.add(link);
    // Whole characters only: a UTF-8 sequence split across TCP chunks must not become two U+FFFDs.
    tcp.setEncoding('utf8');
    tcp.on('data', (text) => {
      if (!link.frozen) conn.write(text);
    });
    // A broker that stops, refuses or resets ends the SockJS session, unless the link is frozen:
    // a frozen link is a black hole, and the client must find out by itself.
    tcp.on('error', () => {});
    tcp.on('close', () => {
      forget(link, 'broker');
      if (!link.frozen) conn.close(1000, 'Broker connection closed');
    });
    conn.on('data', (text) => {
      if (link.frozen) return;
      tcp.write(text);
      // resock/stomp sends one frame per SockJS message: its first line is the command.
      forwarded.push({ link: link.number, command: text.split('\n', 1)[0] });
      wake();
    });
    conn.on('close', () => {
      forget(link, 'sockjs');
      tcp.destroy();
    });
  });

  const server = http.createServer((req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found\n');
  });
  server.on('upgrade', (req, socket) => socket.destroy());
  endpoint.installHandlers(server, { prefix: '/stomp' });
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();

  return {
    url: () => `http://127.0.0.1:${port}/stomp`,
    /** Links (SockJS session + TCP connection) now open. */
    linkCount: () => links.size,
    /**
     * Resolves once at most `count` links are open (each ends with its SockJS session or its TCP
     * connection to the broker). Unbounded: give it a deadline.
     */
    untilLinks(count) {
      return until(() => links.size <= count);
    },
    /**
     * Resolves once the `number`th link (from 1) forwarded a client frame of `command` to the
     * broker, such as the DISCONNECT that ends its STOMP session. Unbounded: give it a deadline.
     */
    untilForwarded(number, command) {
      return until(() => forwarded.some((f) => f.link === number && f.command === command));
    },
    /**
     * Resolves once the `number`th link (from 1) has ended, with who ended it: 'broker' (RabbitMQ
     * closed the connection, as it does on a DISCONNECT) or 'sockjs' (the SockJS session ended:
     * the client aborted an open poll, or stopped polling for the server's disconnect_delay).
     * Unbounded: give it a deadline.
     */
    async untilEnded(number) {
      await until(() => endedBy[number]);
      return endedBy[number];
    },
    /** What each link forwarded from its client: `[{ link, command }]`, in order. */
    forwarded: () => [...forwarded],
    /** Every link open now stops forwarding, both ways, for good; later links work. Returns how many froze. */
    freeze() {
      for (const link of links) link.frozen = true;
      return links.size;
    },
    async close() {
      for (const link of links) link.tcp.destroy();
      await lifecycle.close();
    },
  };
}
