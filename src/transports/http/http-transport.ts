import type { Env } from '../../env/env';
import { appendPath } from '../../protocol/url';
import { Emitter } from '../../util/emitter';
import type { Transport, TransportCloseInfo, TransportEvents, TransportOptions } from '../types';
import type { Receiver, StartReceiver } from './receivers';
import { batchSender, type BatchSender, type SendEncoding } from './sender';

/**
 * An HTTP transport is a receiver (how frames arrive) plus the shared batched sender. A closure
 * rather than a class: its state is local variables, which minify to one letter.
 */
export function httpTransport(sessionUrl: string, env: Env, options: TransportOptions, startReceiver: StartReceiver, encoding: SendEncoding): Transport {
  let closed = false;
  /** Stops both halves; returns what the sender still held. */
  const shutDown = (last?: readonly string[]): string[] => {
    if (closed) return [];
    closed = true;
    receiver.stop();
    return sender.stop(last);
  };
  const fail = (info: TransportCloseInfo): void => {
    if (closed) return;
    const unsent = (info.unsent || []).concat(shutDown());
    transport.emit('close', unsent.length ? { ...info, unsent } : info);
    transport.clear();
  };
  const transport = Object.assign(new Emitter<TransportEvents>(), {
    send(messages: readonly string[]): void {
      if (!closed) sender.send(messages);
    },
    close: shutDown,
    settle(): Promise<string[]> {
      if (closed) return Promise.resolve([]);
      receiver.stop();
      return sender.settle().then((unsent) => unsent.concat(shutDown()));
    },
  });
  const sender: BatchSender = batchSender(env, appendPath(sessionUrl, encoding.endpoint), options, encoding, fail, (count) => transport.emit('sent', count));
  const receiver: Receiver = startReceiver({ env, sessionUrl, options, frame: (raw) => transport.emit('frame', raw), fail });
  return transport;
}
