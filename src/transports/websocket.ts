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
 */
class WebSocketTransport extends Emitter<TransportEvents> implements Transport {
  private _ws: WebSocketLike | null;
  private _batch: string[] = [];

  constructor(sessionUrl: string, env: Env) {
    super();
    const ws = (this._ws = new env.WebSocket!(toWebSocketUrl(appendPath(sessionUrl, '/websocket'))));
    ws.onmessage = (event) => this.emit('frame', String(event.data));
    ws.onclose = (event) => this._end(event.code || 1006, event.reason || 'WebSocket closed');
    ws.onerror = () => this._end(1006, 'WebSocket connection broken');
  }

  send(messages: readonly string[]): void {
    if (!this._ws) return;
    if (!this._batch.length) void Promise.resolve().then(() => this._flush());
    for (const message of messages) this._batch.push(message);
  }

  close(): string[] {
    const ws = this._ws;
    if (!ws) return [];
    this._flush();
    this._detach();
    ws.close();
    const unsent = this._batch;
    this._batch = [];
    return unsent;
  }

  /** Writes the batch if the socket is open; otherwise keeps it, to be reported as unsent. */
  private _flush(): void {
    if (!this._batch.length || !this._ws || this._ws.readyState !== 1) return;
    this._ws.send(encodeMessages(this._batch));
    this.emit('sent', this._batch.length);
    this._batch = [];
  }

  private _detach(): void {
    const ws = this._ws!;
    ws.onmessage = ws.onclose = null;
    // Not null: Node's `ws` emits 'error' when a socket still connecting is closed, and an
    // EventEmitter with no 'error' listener throws it out of the process.
    ws.onerror = ignore;
    this._ws = null;
  }

  private _end(code: number, reason: string): void {
    if (!this._ws) return;
    this._detach();
    const unsent = this._batch;
    this._batch = [];
    this.emit('close', { code, reason, wasClean: false, ...(unsent.length ? { unsent } : {}) });
    this.clear();
  }
}

export const websocket: TransportDescriptor = {
  name: 'websocket',
  roundTrips: 2,
  isSupported: (env, info) => !!env.WebSocket && info.websocket !== false,
  create: (sessionUrl, env) => new WebSocketTransport(sessionUrl, env),
};
