import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../connector/options';
import { detectEnv, type Env } from '../env/env';
import { Link } from '../link/link';
import { CloseCode } from '../protocol/codes';
import { allTransports } from '../transports/index';
import { checkCloseArguments, SocketBase } from '../client/socket-base';
import { InvalidStateError } from '../util/errors';
import { closeEvent, messageEvent, type ResockCloseEvent } from '../util/events';

export type SockJSOptions = ConnectionOptions;

export interface SockJSEventMap extends Record<string, Event> {
  open: Event;
  message: MessageEvent<string>;
  close: ResockCloseEvent;
  error: Event;
  /** A SockJS `h` frame arrived (sockjs-client fires it too). */
  heartbeat: Event;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * A drop-in for sockjs-client's `SockJS`: one connection, no reconnection, the W3C WebSocket
 * surface and sockjs-client's observable behaviour (errors, close codes, event order).
 */
export class SockJS extends SocketBase<SockJSEventMap> {
  /** Called for each `heartbeat` event, as sockjs-client does (Meteor sets it). */
  onheartbeat: ((event: Event) => unknown) | null = null;
  private _readyState = CONNECTING;
  private readonly _env: Env;
  private readonly _options: ResolvedConnectionOptions;

  constructor(url: string, protocols?: string | string[] | null, options: SockJSOptions = {}) {
    const env = detectEnv();
    if (arguments.length < 1) throw new TypeError("Failed to construct 'SockJS': 1 argument required, but only 0 present");
    super(url, env.location && env.location.href);
    this._env = env;
    const resolved = (this._options = resolveConnectionOptions(options || {}));
    const debug = resolved.debug;
    // A logger that throws must not stop the connection (the connector calls it from promise
    // callbacks: it stayed CONNECTING for good) nor keep the socket from closing.
    resolved.debug = (event, detail) => {
      try {
        debug(event, detail);
      } catch {
        // Ignored: there is nobody to tell.
      }
    };
    checkProtocols(protocols);
    const link = (this._link = new Link({ url: this.url, env, options: resolved, headers: resolved.headers, descriptors: allTransports }));
    link.on('open', () => {
      this._readyState = OPEN;
      this.dispatchEvent(new Event('open'));
    });
    link.on('message', (data) => this.dispatchEvent(messageEvent(data)));
    link.on('heartbeat', () => this.dispatchEvent(new Event('heartbeat')));
    // The server's `c` (or a protocol error) ended the session: CLOSING at once, and no transport,
    // as sockjs-client, although the close waits for a POST in flight to answer.
    link.on('closing', () => {
      this._readyState = CLOSING;
      this._link = null;
    });
    link.on('close', (info) => this._close(info.code, info.reason, info.wasClean));
  }

  get readyState(): number {
    return this._readyState;
  }

  /** Sends `String(data)`. Throws InvalidStateError while connecting; does nothing once closing or closed. */
  send(data: unknown): void {
    const message = String(data);
    if (this._readyState === CONNECTING) throw new InvalidStateError('InvalidStateError: The connection has not been established yet');
    if (this._readyState === OPEN) this._link!.send([message]);
  }

  /** Closes with 1000 or an application code 3000–4999 and a reason of at most 123 bytes. */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    if (this._readyState === CLOSING || this._readyState === CLOSED) return;
    this._close(code || CloseCode.Normal, reason || 'Normal closure', true);
  }

  /** As sockjs-client: CLOSING at once, then CLOSED and the events in a later task. */
  private _close(code: number, reason: string, wasClean: boolean): void {
    const link = this._link;
    const failedEarly = !!link && link.infoPending;
    this._link = null;
    if (link) link.close();
    this._readyState = CLOSING;
    this._options.debug('close', { code, reason });
    this._env.setTimeout(() => {
      this._readyState = CLOSED;
      if (failedEarly) this.dispatchEvent(new Event('error'));
      this.dispatchEvent(closeEvent(code, reason, wasClean));
      this.onmessage = this.onclose = this.onerror = null;
    }, 0);
  }
}

/** WebSocket steps 4–5: every protocol non-empty and none repeated (SockJS then ignores them). */
function checkProtocols(protocols: string | string[] | null | undefined): void {
  const list = !protocols ? [] : Array.isArray(protocols) ? protocols.slice().sort() : [protocols];
  list.forEach((protocol, i) => {
    if (!protocol) throw new SyntaxError(`The protocols entry '${protocol}' is invalid.`);
    if (protocol === list[i + 1]) throw new SyntaxError(`The protocols entry '${protocol}' is duplicated.`);
  });
}
