// A bound on request bodies, in front of sockjs-node. sockjs-node reads an `xhr_send` or
// `jsonp_send` body into one string with no limit: a 60 MB POST held a node busy for 90 s. A body
// declared larger than the bound is answered 413 before a byte of it is read; one that grows past
// it (chunked, or a lying Content-Length) has its connection cut as soon as it does.
import { wrapListeners } from './faults.mjs';

/**
 * 1 MiB: a chat batch is a few KiB. resock sends in one POST everything queued while the previous
 * POST was in flight, and its queue is bounded by count (1,000) but not by bytes by default: an app
 * that queues larger payloads sets `queue.maxBytes` below the bound.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Installs the bound on `server` (call after every handler that reads bodies is installed).
 * `onRefused(req, bytes)` hears each refusal, for the log.
 */
export function installBodyLimit(server, { maxBytes = DEFAULT_MAX_BODY_BYTES, onRefused = () => {} } = {}) {
  wrapListeners(server, 'request', (req, res) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      onRefused(req, declared);
      refuse(res, maxBytes);
      return true;
    }
    let received = 0;
    req.on('data', (chunk) => {
      received += chunk.length;
      if (received <= maxBytes || res.headersSent) {
        if (received > maxBytes) req.socket.destroy();
        return;
      }
      onRefused(req, received);
      refuse(res, maxBytes);
    });
    return false;
  });
}

/** Answers 413 and closes the connection: the rest of the body is never read. */
function refuse(res, maxBytes) {
  res.writeHead(413, {
    'Content-Type': 'text/plain; charset=utf-8',
    Connection: 'close',
    // sockjs answers every request with CORS headers: without them a page could not read the status.
    'Access-Control-Allow-Origin': res.req.headers.origin || '*',
    'Access-Control-Allow-Credentials': 'true',
  });
  res.end(`Request body larger than ${maxBytes} bytes\n`, () => res.req.socket.destroy());
}
