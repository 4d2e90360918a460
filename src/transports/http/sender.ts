import type { Env } from '../../env/env';
import { encodeMessages } from '../../protocol/encode';
import type { TransportCloseInfo, TransportOptions } from '../types';
import { failureText, request, requestReason, type HttpRequest } from '../../net/request';

/** How one endpoint wants a batch in a POST body: `xhr_send` takes the JSON, `jsonp_send` a form. */
export interface SendEncoding {
  endpoint: string;
  /** None: fetch and XHR send a string as `text/plain;charset=UTF-8`, which `xhr_send` takes. */
  contentType?: string;
  body(json: string): string;
  /** The endpoint answers without CORS headers: see `RequestSpec.noCors`. */
  noCors?: boolean;
}

export const xhrSendEncoding: SendEncoding = {
  endpoint: '/xhr_send',
  body: (json) => json,
};

export const formSendEncoding: SendEncoding = {
  endpoint: '/jsonp_send',
  contentType: 'application/x-www-form-urlencoded',
  body: (json) => 'd=' + encodeURIComponent(json),
  noCors: true,
};

/** Most characters of messages in one POST (one larger message still goes, alone). */
export const MAX_BATCH = 256 * 1024;

/** Longest wait for the answer of a POST in flight when the session ends (see `settle`). */
export const SETTLE_MS = 3000;

/**
 * Batched POSTs with one request in flight: whatever is sent while a POST runs goes, in order,
 * in the next one. Messages sent in one task share a POST (a microtask, not a delay).
 */
export class BatchSender {
  private _pending: string[] = [];
  private _inFlight: string[] | null = null;
  private _request: HttpRequest | null = null;
  private _scheduled = false;
  private _stopped = false;
  /** Sending a farewell: see `stop(last)`. */
  private _leaving = false;
  /** While settling: takes what the POST in flight did not deliver (see `settle`). */
  private _settle: ((undelivered: string[]) => void) | null = null;
  private _settleTimer: unknown = null;

  constructor(
    private readonly _env: Env,
    private readonly _url: string,
    private readonly _options: TransportOptions,
    private readonly _encoding: SendEncoding,
    private readonly _onFail: (info: TransportCloseInfo) => void,
    private readonly _onSent: (count: number) => void,
  ) {}

  send(messages: readonly string[]): void {
    for (const message of messages) this._pending.push(message);
    if (this._inFlight || this._scheduled) return;
    this._scheduled = true;
    void Promise.resolve().then(() => {
      this._scheduled = false;
      this._flush();
    });
  }

  /**
   * Aborts the POST in flight and returns the messages never sent. The batch in flight is not
   * among them: the server may have it already, and sending it again could duplicate it.
   * With `last` (Resock's `farewell`): nothing is aborted or returned; what waits goes out after
   * the POST in flight, then `last`, in POSTs kept alive through the page's unload (`pagehide`).
   */
  stop(last?: readonly string[]): string[] {
    if (last) return (this._leaving = true), this.send(last), [];
    this._stopped = true;
    this._settle = null;
    this._env.clearTimeout(this._settleTimer);
    if (this._request) this._request.abort();
    const unsent = this._pending;
    this._inFlight = this._request = null;
    this._pending = [];
    return unsent;
  }

  /**
   * The session ended by a frame (behind a balancer without affinity: a poll met another node
   * and got a new `o`) while a POST was on its way, perhaps to a node that answers 404, "session
   * unknown": aborting it would lose that batch without a word. So no new POST starts, and the
   * one in flight is awaited (at most SETTLE_MS): refused (an error status), it was not
   * delivered and comes back first; 2xx, it was; no answer, it may have been (at most once, as
   * in `stop`). Resolves with that, then what waited, as `stop()` would return it.
   */
  settle(): Promise<string[]> {
    if (!this._request) return Promise.resolve(this.stop());
    return new Promise((resolve) => {
      this._settleTimer = this._env.setTimeout(() => resolve(this.stop()), SETTLE_MS);
      this._settle = (undelivered) => resolve(undelivered.concat(this.stop()));
    });
  }

  private _flush(): void {
    if (this._stopped || this._settle || this._inFlight || !this._pending.length) return;
    // At most MAX_BATCH characters a POST (at least one message): servers and proxies bound
    // request bodies (a 413 for a whole queue would come back for ever).
    const pending = this._pending;
    let count = 0;
    let size = 0;
    while (count < pending.length && (!count || size + pending[count]!.length <= MAX_BATCH)) size += pending[count++]!.length;
    const batch = (this._inFlight = pending.slice(0, count));
    this._pending = pending.slice(count);
    const body = this._encoding.body(encodeMessages(batch));
    const req = (this._request = request(this._env, {
      method: 'POST',
      url: this._url,
      body,
      contentType: this._encoding.contentType,
      headers: this._options.headers,
      withCredentials: this._options.withCredentials,
      maxLength: this._options.maxFrameLength,
      noCors: this._encoding.noCors,
      // fetch refuses outright a keepalive body past its quota, 64 KiB (of UTF-8, at most 3 bytes a
      // character): a larger batch goes as usual.
      keepalive: this._leaving && body.length * 3 <= 65536,
    }));
    void req.done.then((result) => {
      const { status } = result;
      if (this._request !== req) return;
      this._request = this._inFlight = null;
      const delivered = status >= 200 && status < 300;
      if (delivered) this._onSent(batch.length);
      // An error status means the server refused the batch: it goes back first, then the rest.
      // No answer at all (status 0) says nothing of whether it arrived: at most once, not again.
      // A 404 here: the node does not know the session (no affinity behind a load balancer). A 413
      // of one message: it can never go; it is dropped, and the reason says so.
      const refused = !delivered && status > 0 && !(status === 413 && batch.length === 1) ? batch : [];
      if (this._settle) return this._settle(refused);
      if (delivered) return this._flush();
      const hint = status === 404 ? ', session unknown' : status === 413 && !refused.length ? ', message dropped' : '';
      const reason = requestReason('POST', this._encoding.endpoint, failureText(result) + hint);
      this._onFail({ code: 1006, reason, wasClean: false, unsent: refused.concat(this.stop()) });
    });
  }
}
