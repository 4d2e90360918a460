import type { Env } from '../../env/env';
import type { TransportCloseInfo, TransportOptions } from '../types';
import { failureText, request, requestReason, type HttpRequest, TOO_LARGE } from '../../net/request';
import type { ChunkSink } from '../../net/splitters';
import { eventStreamSplitter, lineSplitter } from '../../net/splitters';
import { CloseCode, closeInfo } from '../../protocol/codes';
import { appendPath } from '../../protocol/url';
import { anotherConnectionRetryDelay } from './another-connection';

/** What a receiver reports to its transport. */
export interface ReceiverContext {
  env: Env;
  sessionUrl: string;
  options: TransportOptions;
  frame(raw: string): void;
  fail(info: TransportCloseInfo): void;
}

/** A running receiver; `stop()` ends every request it has open. */
export interface Receiver {
  stop(): void;
}
export type StartReceiver = (context: ReceiverContext) => Receiver;

type SplitterFactory = (onLine: (line: string) => void, maxLength: number, onOverflow: () => void) => ChunkSink;

/**
 * Issues one request after another to `endpoint`, for as long as each ends cleanly (200) having
 * carried at least one frame: streams end at the server's `response_limit`, polls after a frame.
 * A round that carried nothing is a broken peer, not a reason to spin. A round refused with 2010
 * because the server still held the previous one is asked again a little later, a few times
 * (another-connection.ts).
 */
function requestLoop(
  method: 'GET' | 'POST',
  endpoint: string,
  streaming: boolean,
  splitter: SplitterFactory,
  isFrame: (line: string) => boolean,
): StartReceiver {
  return ({ env, sessionUrl, options, frame, fail }) => {
    const url = appendPath(sessionUrl, endpoint);
    let current: HttpRequest | null = null;
    let stopped = false;
    let retryTimer: unknown;
    const stop = () => {
      stopped = true;
      env.clearTimeout(retryTimer);
      if (current) current.abort();
      current = null;
    };
    // A response too large or unreadable is a protocol error; a broken request, a lost link.
    // The reason names the endpoint, not the session's URL: the session id grants the session.
    const failOnce = (code: number, why: string) => {
      if (stopped) return;
      stop();
      fail(closeInfo(code, requestReason(method, endpoint, why)));
    };

    /** `refusals`: how many rounds in a row, just before this one, were refused with 2010. */
    const round = (refusals: number): void => {
      let frames = 0;
      let retryIn = 0;
      const sink = splitter(
        (line) => {
          if (stopped || !isFrame(line)) return;
          // A refusal comes alone: should a frame follow, the server did not refuse after all.
          if (!frames && (retryIn = anotherConnectionRetryDelay(line, refusals))) return;
          frames++;
          frame(line);
        },
        options.maxFrameLength,
        () => failOnce(CloseCode.CannotConnect, 'frame too long'),
      );
      const req = (current = request(env, {
        method,
        url,
        headers: options.headers,
        withCredentials: options.withCredentials,
        maxLength: options.maxFrameLength,
        onChunk: streaming ? sink : undefined,
      }));
      void req.done.then((result) => {
        if (stopped || current !== req) return;
        if (result.status !== 200) return failOnce(result.status === TOO_LARGE ? CloseCode.CannotConnect : CloseCode.Lost, failureText(result));
        // The end of the body ends its last line and event: a frame without its newline is read
        // (a poll), one cut short is the protocol error it is (a stream); none is dropped unseen.
        sink((streaming ? '' : result.body) + '\n\n');
        if (stopped) return;
        if (retryIn) return void (retryTimer = env.setTimeout(() => round(refusals + 1), retryIn));
        if (!frames) return failOnce(CloseCode.CannotConnect, 'ended without a frame');
        round(0);
      });
    };
    round(0);
    return { stop };
  };
}

const anyLine = (line: string) => line.length > 0;
// xhr_streaming opens with 2048 'h' bytes (a prelude for old IE); no real frame starts with "hh".
const notPrelude = (line: string) => line.length > 0 && line.slice(0, 2) !== 'hh';

export const xhrStreamingReceiver = requestLoop('POST', '/xhr_streaming', true, lineSplitter, notPrelude);
export const eventSourceReceiver = requestLoop('GET', '/eventsource', true, eventStreamSplitter, anyLine);
export const xhrPollingReceiver = requestLoop('POST', '/xhr', false, lineSplitter, anyLine);
