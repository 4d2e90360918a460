// The SockJS↔STOMP relay of the broker tests: a sockjs-node 0.3.24 endpoint on 127.0.0.1 whose
// every session is piped to a new TCP connection to RabbitMQ's STOMP port. Data and closes go
// both ways. It can freeze: the links open at that moment stop forwarding (the SockJS session
// stays up, heartbeats and all) so that only STOMP heart-beats can tell the link is dead.
import http from 'node:http';
import net from 'node:net';
import sockjs from 'sockjs';
import { onLoopback } from '../support/loopback.mjs';

export const STOMP_PORT = 61613;

/** Starts the relay. `url()` is the SockJS base URL to give Resock. */
export async function startRelay({ stompPort = STOMP_PORT, heartbeatDelay = 25000 } = {}) {
  const links = new Set();
  /** Checks of `untilLinks` waiting, run whenever a link ends. */
  const waiters = new Set();
  const forget = (link) => {
    links.delete(link);
    for (const check of [...waiters]) check();
  };
  const endpoint = sockjs.createServer({ heartbeat_delay: heartbeatDelay, log: () => {}, sockjs_url: '/sockjs.js' });

  endpoint.on('connection', (conn) => {
    const link = { conn, frozen: false };
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
      forget(link);
      if (!link.frozen) conn.close(1000, 'Broker connection closed');
    });
    conn.on('data', (text) => {
      if (!link.frozen) tcp.write(text);
    });
    conn.on('close', () => {
      forget(link);
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
      return new Promise((resolve) => {
        const check = () => {
          if (links.size > count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
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
