// Listening on 127.0.0.1 and closing without waiting for clients: shared by the test servers.

/**
 * Wraps a `net.Server` (or `http.Server`) so that it listens on a random port of 127.0.0.1
 * and `close()` ends every connection at once — long polls, streams and WebSockets
 * included, which `server.close()` alone would wait for.
 */
export function onLoopback(server) {
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    // A browser resets connections it abandons (a refused upgrade, a closed attempt): an
    // 'error' without a listener would crash the test process; 'close' follows anyway.
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    /** Resolves with the port once listening: `port`, or a random one by default. */
    listen: (port = 0) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve(server.address().port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
