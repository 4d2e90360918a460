// The SockJS servers the browser tests run against, each started the same way and offering the
// same endpoints (/echo, /close, /push, /disabled_websocket_echo, /cookie_needed_echo).
import { startSockjsGoServer } from './sockjs-go-server.mjs';
import { startSockjsServer } from './sockjs-server.mjs';

/**
 * - `start(options)`: `{ heartbeatDelay, port }` → `{ port, origin, url(prefix), close() }`;
 * - `clientVariants`: whether the variants that only change the client's own code paths (its
 *   XMLHttpRequest readers instead of fetch streams) run against this server too. They exercise
 *   no server behaviour the main variants miss, so they run against the reference peer only.
 */
export const SERVER_PEERS = [
  { name: 'sockjs-node', start: startSockjsServer, clientVariants: true },
  { name: 'sockjs-go', start: startSockjsGoServer, clientVariants: false },
];
