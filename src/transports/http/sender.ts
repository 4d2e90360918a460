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
export interface BatchSender {
  send(messages: readonly string[]): void;
  /**
   * Aborts the POST in flight and returns the messages never sent. The batch in flight is not
   * among them: the server may have it already, and sending it again could duplicate it.
   * With `last` (Resock's `farewell`): nothing is aborted or returned; what waits goes out after
   * the POST in flight, then `last`, in POSTs kept alive through the page's unload (`pagehide`).
   * Except while settling: the server ended the session, `last` cannot go, and what waits
   * comes back as without it (else it was lost, neither sent nor returned).
   */
  stop(last?: readonly string[]): string[];
  /**
   * The session ended by a frame (behind a balancer without affinity: a poll met another node
   * and got a new `o`) while a POST was on its way, perhaps to a node that answers 404, "session
   * unknown": aborting it would lose that batch without a word. So no new POST starts, and the
   * one in flight is awaited (at most SETTLE_MS): refused (an error status), it was not
   * delivered and comes back first; 2xx, it was; no answer, it may have been (at most once, as
   * in `stop`). Resolves with that, then what waited, as `stop()` would return it.
   */
  settle(): Promise<string[]>;
}

/** A closure rather than a class: its state is local variables, which minify to one letter. */
export function batchSender(
  env: Env,
  url: string,
  options: TransportOptions,
  encoding: SendEncoding,
  onFail: (info: TransportCloseInfo) => void,
  onSent: (count: number) => void,
): BatchSender {
  let pending: string[] = [];
  let inFlight: string[] | null = null;
  let current: HttpRequest | null = null;
  let scheduled = false;
  let stopped = false;
  /** Sending a farewell: see `stop(last)`. */
  let leaving = false;
  /** While settling: takes what the POST in flight did not deliver (see `settle`). */
  let settling: ((undelivered: string[]) => void) | null = null;
  let settleTimer: unknown = null;
  /** Most characters a POST: MAX_BATCH, less once the server refused a batch as too large. */
  let limit = MAX_BATCH;
  /** What the POST of the head of `pending` says first: it continues a batch split over POSTs (`TransportOptions.mark`). */
  let mark: string | undefined;

  const send = (messages: readonly string[]): void => {
    for (const message of messages) pending.push(message);
    if (inFlight || scheduled) return;
    scheduled = true;
    void Promise.resolve().then(() => {
      scheduled = false;
      flush();
    });
  };

  const stop = (last?: readonly string[]): string[] => {
    // Ended (settling, or settled with nothing in flight): `last` cannot go, what waits comes back.
    if (last && !stopped && !settling) return (leaving = true), send(last), [];
    stopped = true;
    settling = null;
    env.clearTimeout(settleTimer);
    if (current) current.abort();
    const unsent = pending;
    inFlight = current = null;
    pending = [];
    return unsent;
  };

  const flush = (): void => {
    if (stopped || settling || inFlight || !pending.length) return;
    // At most `limit` characters a POST (at least one message): servers and proxies bound
    // request bodies (a 413 for a whole queue would come back for ever).
    let count = 0;
    let size = 0;
    while (count < pending.length && (!count || size + pending[count]!.length <= limit)) size += pending[count++]!.length;
    const batch = (inFlight = pending.slice(0, count));
    const head = mark;
    const post = head ? [head].concat(batch) : batch;
    pending = pending.slice(count);
    mark = pending[0] && options.mark?.(post, pending[0]);
    const body = encoding.body(encodeMessages(post));
    const req = (current = request(env, {
      method: 'POST',
      url,
      body,
      contentType: encoding.contentType,
      headers: options.headers,
      withCredentials: options.withCredentials,
      maxLength: options.maxFrameLength,
      noCors: encoding.noCors,
      // fetch refuses outright a keepalive body past its quota, 64 KiB (of UTF-8, at most 3 bytes a
      // character): a larger batch goes as usual.
      keepalive: leaving && body.length * 3 <= 65536,
    }));
    void req.done.then((result) => {
      const { status } = result;
      if (current !== req) return;
      current = inFlight = null;
      // xhr_send answers 204 with no body: a 2xx page is something else's (a login page an auth
      // proxy redirected to), and the batch did not reach the session. jsonp_send answers "ok".
      const delivered = status >= 200 && status < 300 && (!result.body || !!encoding.noCors);
      if (delivered) onSent(batch.length);
      // An error status means the server refused the batch: it goes back first, then the rest.
      // No answer at all (status 0) says nothing of whether it arrived: at most once, not again.
      // A 404 here: the node does not know the session (no affinity behind a load balancer). A 413
      // of one message: it can never go; it is dropped, and the reason says so.
      const refused = !delivered && status > 0 && !(status === 413 && batch.length === 1) ? batch : [];
      if (settling) return settling(refused);
      // Several messages too large together: the server's bound is below ours (nginx's
      // client_max_body_size). Sent again in halves, on this session, down to one at worst; handed
      // back, the next link would send the same batch and meet the same 413, for ever.
      if (status === 413 && batch.length > 1) {
        limit = size / 2;
        pending = batch.concat(pending);
        mark = head;
        return flush();
      }
      if (delivered) return flush();
      const dropped = status === 413 && !refused.length;
      const hint = status === 404 ? ', session unknown' : dropped ? ', message dropped' : status > 0 && status < 300 ? ', not SockJS' : '';
      const info: TransportCloseInfo = { code: 1006, reason: requestReason('POST', encoding.endpoint, failureText(result) + hint), wasClean: false, unsent: refused.concat(stop()) };
      if (dropped) info.tooLarge = batch[0];
      onFail(info);
    });
  };

  return {
    send,
    stop,
    settle: () =>
      current
        ? new Promise((resolve) => {
            settleTimer = env.setTimeout(() => resolve(stop()), SETTLE_MS);
            settling = (undelivered) => resolve(undelivered.concat(stop()));
          })
        : Promise.resolve(stop()),
  };
}
