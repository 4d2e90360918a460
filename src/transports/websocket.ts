import type { Env, WebSocketLike } from '../env/env';
import { encodeMessages } from '../protocol/encode';
import { appendPath, toWebSocketUrl } from '../protocol/url';
import { Emitter } from '../util/emitter';
import type { Transport, TransportDescriptor, TransportEvents } from './types';

const ignore = () => undefined;

/**
 * SockJS over a WebSocket: one frame per batch of messages. Messages sent in one task share a
 * frame (a microtask, not a delay), which is what lets bursts beat one-frame-per-message.
 * WebSocket cannot carry custom headers; `withCredentials` does not apply (cookies always go).
 * A closure rather than a class: its state is local variables, which minify to one letter.
 */
function webSocketTransport(sessionUrl: string, env: Env): Transport {
  let ws: WebSocketLike | null = new env.WebSocket!(toWebSocketUrl(appendPath(sessionUrl, '/websocket')));
  let batch: string[] = [];

  /** Writes the batch if the socket is open; otherwise keeps it, to be reported as unsent. */
  const flush = (): void => {
    if (!batch.length || !ws || ws.readyState !== 1) return;
    ws.send(encodeMessages(batch));
    transport.emit('sent', batch.length);
    batch = [];
  };

  /** Detaches from the socket; returns what was never written. */
  const detach = (): string[] => {
    const unsent = batch;
    ws!.onmessage = ws!.onclose = null;
    // Not null: Node's `ws` emits 'error' when a socket still connecting is closed, and an
    // EventEmitter with no 'error' listener throws it out of the process.
    ws!.onerror = ignore;
    ws = null;
    batch = [];
    return unsent;
  };

  const end = (code: number, reason: string): void => {
    if (!ws) return;
    const unsent = detach();
    transport.emit('close', { code, reason, wasClean: false, ...(unsent.length ? { unsent } : {}) });
    transport.clear();
  };

  const transport = Object.assign(new Emitter<TransportEvents>(), {
    send(messages: readonly string[]): void {
      if (!ws) return;
      if (!batch.length) void Promise.resolve().then(flush);
      for (const message of messages) batch.push(message);
    },
    close(): string[] {
      const socket = ws;
      if (!socket) return [];
      flush();
      const unsent = detach();
      socket.close();
      return unsent;
    },
  });
  ws.onmessage = (event) => transport.emit('frame', String(event.data));
  ws.onclose = (event) => end(event.code || 1006, event.reason || 'WebSocket closed');
  ws.onerror = () => end(1006, 'WebSocket connection broken');
  return transport;
}

export const websocket: TransportDescriptor = {
  name: 'websocket',
  roundTrips: 2,
  isSupported: (env, info) => !!env.WebSocket && info.websocket !== false,
  create: webSocketTransport,
};
