import type { Env } from '../../env/env';
import type { TransportCloseInfo, TransportOptions } from '../types';
import { failureText, request, requestReason, type HttpRequest, TOO_LARGE } from '../../net/request';
import type { ChunkSink } from '../../net/splitters';
import { eventStreamSplitter, lineSplitter } from '../../net/splitters';
import { CloseCode } from '../../protocol/codes';
import { appendPath } from '../../protocol/url';

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
 * A round that carried nothing is a broken peer, not a reason to spin.
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
    const stop = () => {
      stopped = true;
      if (current) current.abort();
      current = null;
    };
    // A response too large or unreadable is a protocol error; a broken request, a lost link.
    // The reason names the endpoint, not the session's URL: the session id grants the session.
    const failOnce = (code: number, why: string) => {
      if (stopped) return;
      stop();
      fail({ code, reason: requestReason(method, endpoint, why), wasClean: false });
    };

    const round = (): void => {
      let frames = 0;
      const sink = splitter(
        (line) => {
          if (stopped || !isFrame(line)) return;
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
        if (!streaming) sink(result.body);
        if (stopped) return;
        if (!frames) return failOnce(CloseCode.CannotConnect, 'ended without a frame');
        round();
      });
    };
    round();
    return { stop };
  };
}

const anyLine = (line: string) => line.length > 0;
// xhr_streaming opens with 2048 'h' bytes (a prelude for old IE); no real frame starts with "hh".
const notPrelude = (line: string) => line.length > 0 && line.slice(0, 2) !== 'hh';

export const xhrStreamingReceiver = requestLoop('POST', '/xhr_streaming', true, lineSplitter, notPrelude);
export const eventSourceReceiver = requestLoop('GET', '/eventsource', true, eventStreamSplitter, anyLine);
export const xhrPollingReceiver = requestLoop('POST', '/xhr', false, lineSplitter, anyLine);
