import type { Connector } from '../connector/connector';
import { openConnector } from '../connector/open';
import type { ResolvedConnectionOptions } from '../connector/options';
import type { Env } from '../env/env';
import { CloseCode, closeInfo } from '../protocol/codes';
import type { Session } from '../session/session';
import type { TransportCloseInfo, TransportDescriptor, TransportName } from '../transports/types';
import { Emitter } from '../util/emitter';
import { errorMessage } from '../util/errors';

export interface LinkEvents extends Record<string, unknown> {
  open: void;
  /** One message; none after `close()`, even from the rest of the same frame. */
  message: string;
  heartbeat: void;
  /** So many of the messages sent, the oldest, went out: what a shared link's leader confirms to the tabs. */
  sent: number;
  /** A frame ended the link: no message follows, and its `close` comes once the POST in flight answered (at most SETTLE_MS). */
  closing: void;
  /** Exactly once, unless the owner closed the link itself. */
  close: TransportCloseInfo;
}

/**
 * What an owner uses of a link: a `Link`, or a wrapper with the same surface that translates
 * (resume/link.ts). `send` may hand back messages it did not take: they stay with the owner.
 */
export interface LinkLike {
  readonly transport: TransportName | null;
  readonly isOpen: boolean;
  readonly infoPending: boolean;
  readonly lastFrameAt: number;
  on: Emitter<LinkEvents>['on'];
  send(messages: readonly string[]): readonly string[] | void;
  close(last?: readonly string[]): string[];
}

export interface LinkSetup {
  url: string;
  env: Env;
  options: ResolvedConnectionOptions;
  /** The headers of this link's requests; a throw fails the link like a refused connection. */
  headers: () => Record<string, string>;
  /** The transports of the entry point; `options.transports` picks among them and may add others. */
  descriptors: readonly TransportDescriptor[];
  /** Failed attempts in a row before this link: lengthens its connect timeouts (see ConnectOptions). */
  retry?: number;
}

/**
 * ONE connection: the connector that picks and opens a transport, then the session on it, and
 * the close sequence — written once, for `SockJS` (one link) and `Resock` (a link per attempt).
 * It says `open`, `message`s and `heartbeat`s, and one `close`; `close()` ends it without an
 * event and hands back what was accepted and never sent.
 */
export class Link extends Emitter<LinkEvents> {
  private _connector: Connector | null = null;
  private _session: Session | null = null;
  private _closed = false;
  /** The transport of the open link, else null. */
  transport: TransportName | null = null;

  constructor({ url, env, options, headers, descriptors, retry }: LinkSetup) {
    super();
    try {
      this._connector = openConnector(url, env, options, headers(), {
        open: (session, transport) => this._onOpen(session, transport),
        fail: (info) => this._end(info),
      }, descriptors, retry);
    } catch (error) {
      // A platform with no way to connect, a `headers` function that threw: no attempt could
      // start. Said in a later task, like any failure, so the owner has its listeners in place.
      env.setTimeout(() => this._end(closeInfo(CloseCode.CannotConnect, errorMessage(error))), 0);
    }
  }

  /** True until `/info` has answered or the link ended: sockjs-client's "failed early". */
  get infoPending(): boolean {
    return !!this._connector && this._connector.infoPending;
  }

  get isOpen(): boolean {
    return !!this._session;
  }

  /** When the open link last heard any frame, for liveness by timestamp. */
  get lastFrameAt(): number {
    return this._session ? this._session.lastFrameAt : 0;
  }

  send(messages: readonly string[]): void {
    if (this._session) this._session.send(messages);
  }

  /** Ends the link, without a `close` event; returns the messages it accepted and never sent (none with `last`: see Transport). */
  close(last?: readonly string[]): string[] {
    if (this._closed) return [];
    this._closed = true;
    const connector = this._connector;
    const session = this._session;
    this._connector = this._session = null;
    this.transport = null;
    this.clear();
    if (connector) connector.abort();
    return session ? session.close(last) : [];
  }

  private _onOpen(session: Session, transport: TransportName): void {
    this._connector = null;
    this._session = session;
    this.transport = transport;
    session.on('messages', (messages) => {
      for (const message of messages) {
        if (this._session !== session) return;
        this.emit('message', message);
      }
    });
    session.on('heartbeat', () => this.emit('heartbeat', undefined));
    session.on('sent', (count) => this.emit('sent', count));
    session.on('closing', () => this.emit('closing', undefined));
    session.on('close', (info) => this._end(info));
    this.emit('open', undefined);
  }

  private _end(info: TransportCloseInfo): void {
    if (this._closed) return;
    this._closed = true;
    this._connector = this._session = null;
    this.transport = null;
    this.emit('close', info);
    this.clear();
  }
}
