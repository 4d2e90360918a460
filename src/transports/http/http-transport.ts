import type { Env } from '../../env/env';
import { appendPath } from '../../protocol/url';
import { Emitter } from '../../util/emitter';
import type { Transport, TransportCloseInfo, TransportEvents, TransportOptions } from '../types';
import type { Receiver, StartReceiver } from './receivers';
import { batchSender, type BatchSender, type SendEncoding } from './sender';

/** An HTTP transport is a receiver (how frames arrive) plus the shared batched sender. */
export class HttpTransport extends Emitter<TransportEvents> implements Transport {
  private readonly _sender: BatchSender;
  private readonly _receiver: Receiver;
  private _closed = false;

  constructor(sessionUrl: string, env: Env, options: TransportOptions, startReceiver: StartReceiver, encoding: SendEncoding) {
    super();
    const fail = (info: TransportCloseInfo) => this._end(info);
    this._sender = batchSender(env, appendPath(sessionUrl, encoding.endpoint), options, encoding, fail, (count) => this.emit('sent', count));
    this._receiver = startReceiver({ env, sessionUrl, options, frame: (raw) => this.emit('frame', raw), fail });
  }

  send(messages: readonly string[]): void {
    if (!this._closed) this._sender.send(messages);
  }

  close(last?: readonly string[]): string[] {
    return this._shutDown(last);
  }

  settle(): Promise<string[]> {
    if (this._closed) return Promise.resolve([]);
    this._receiver.stop();
    return this._sender.settle().then((unsent) => unsent.concat(this._shutDown()));
  }

  /** Stops both halves; returns what the sender still held. */
  private _shutDown(last?: readonly string[]): string[] {
    if (this._closed) return [];
    this._closed = true;
    this._receiver.stop();
    return this._sender.stop(last);
  }

  private _end(info: TransportCloseInfo): void {
    if (this._closed) return;
    const unsent = (info.unsent || []).concat(this._shutDown());
    this.emit('close', unsent.length ? { ...info, unsent } : info);
    this.clear();
  }
}
