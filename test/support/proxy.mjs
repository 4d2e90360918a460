// A TCP proxy on 127.0.0.1 in front of the SockJS server, with the failures of real networks
// as switches: a proxy that eats WebSockets, a cut, a refusal, a freeze.
import net from 'node:net';
import { onLoopback } from './loopback.mjs';

/** Enough to hold any request head the browser sends; a longer one is forwarded unexamined. */
const MAX_HEAD_BYTES = 64 * 1024;

/** Starts a proxy that forwards every connection to `127.0.0.1:targetPort`. */
export async function startProxy({ targetPort }) {
  const sockets = new Set(); // both ends of every proxied connection
  let blackholing = false;
  let refusingUpgrades = false;
  let refusing = false;
  let frozen = false;

  const track = (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A peer that goes away is normal here; 'close' does the cleanup.
    socket.on('error', () => {});
    if (frozen) socket.pause();
    return socket;
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    track(client);
    readRequestHead(client, (head) => {
      if (refusingUpgrades && isWebSocketUpgrade(head)) {
        client.resetAndDestroy();
        return;
      }
      if (blackholing && isWebSocketUpgrade(head)) {
        // Accepted and then never answered, like a proxy that does not speak WebSocket.
        client.on('data', () => {});
        return;
      }
      const upstream = track(net.connect(targetPort, '127.0.0.1'));
      upstream.write(head);
      forward(client, upstream, () => frozen);
      forward(upstream, client, () => frozen);
    });
  });

  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();
  return {
    port,
    /** The base URL of a server endpoint, reached through the proxy, e.g. `url('/echo')`. */
    url: (prefix) => `http://127.0.0.1:${port}${prefix}`,
    /** While on, connections that open with a WebSocket handshake get no answer, ever. */
    blackholeUpgrades(on) {
      blackholing = on;
    },
    /** While on, connections that open with a WebSocket handshake are reset, like a proxy that refuses WebSocket. */
    refuseUpgrades(on) {
      refusingUpgrades = on;
    },
    /** Resets every live connection, as a network cut would. */
    cutAll() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    /** While on, new connections are reset as soon as they are accepted. */
    refuse(on) {
      refusing = on;
    },
    /** While on, nothing is forwarded in either direction; connections stay open, and resume after. */
    freeze(on) {
      frozen = on;
      for (const socket of sockets) {
        if (on) socket.pause();
        else socket.resume();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await lifecycle.close();
    },
  };
}

/** Collects bytes up to the end of the first request head (or a bounded amount), then hands them over. */
function readRequestHead(socket, onHead) {
  const chunks = [];
  let length = 0;
  const onData = (chunk) => {
    chunks.push(chunk);
    length += chunk.length;
    const head = Buffer.concat(chunks, length);
    if (head.includes('\r\n\r\n') || length >= MAX_HEAD_BYTES) {
      socket.off('data', onData);
      onHead(head);
    }
  };
  socket.on('data', onData);
}

function isWebSocketUpgrade(head) {
  const headers = head.toString('latin1').split('\r\n\r\n')[0];
  return /^upgrade:\s*websocket\s*$/im.test(headers);
}

/** Copies `from` to `to` with back-pressure, never resuming a socket while the proxy is frozen. */
function forward(from, to, isFrozen) {
  from.on('data', (chunk) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!isFrozen()) from.resume();
  });
  from.on('end', () => to.end());
  from.once('close', () => to.destroy());
}
