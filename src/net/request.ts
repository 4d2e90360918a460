import type { Env } from '../env/env';

/** Header names and values for a request (`TransportOptions.headers`). */
export type RequestHeaders = Record<string, string>;

export interface RequestSpec {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  contentType?: string;
  headers: RequestHeaders;
  withCredentials: boolean;
  /** Longest body kept; a longer one is aborted at the limit and ends with status `TOO_LARGE`. */
  maxLength: number;
  /** Streams the body as it arrives instead of collecting it. Only 200 responses are streamed. */
  onChunk?: (text: string) => void;
  /**
   * A fire-and-forget cross-origin POST whose answer carries no CORS headers (sockjs-node's
   * `jsonp_send`): sent in `no-cors` mode, an answer counts as 200. Needs fetch.
   */
  noCors?: boolean;
  /** Outlives the page (fetch's `keepalive`, as `sendBeacon`): a farewell sent on `pagehide`. Needs fetch. */
  keepalive?: boolean;
}

/**
 * `status` is the HTTP status, or `NETWORK_ERROR` / `TOO_LARGE` / `INVALID_HEADER` when there was
 * no usable answer; with `INVALID_HEADER`, `body` names the header; with `NETWORK_ERROR`, it may say why.
 */
export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpRequest {
  /** Settles once, never rejects. After `abort()` it may never settle. */
  readonly done: Promise<HttpResult>;
  abort(): void;
}

export const NETWORK_ERROR = 0;
export const TOO_LARGE = -1;
export const INVALID_HEADER = -2;

/** Why a request failed, in words for a close reason: ASCII, under 70 characters. */
export const failureText = ({ status, body }: HttpResult): string =>
  status > 0
    ? `HTTP ${status}`
    : status === TOO_LARGE
      ? 'too large'
      : status === INVALID_HEADER
        ? `invalid header '${body.replace(/[^ -~]/g, '?').slice(0, 32)}'`
        : body || 'no answer (down? CORS? CSP?)';

/**
 * The first header that neither fetch nor XHR would send (a name that is not an HTTP token, a
 * value with a line break or a character beyond Latin-1), so the reason can name it: both APIs
 * throw without saying which one.
 */
const invalidHeader = (headers: RequestHeaders): string | undefined =>
  Object.keys(headers).find((name) => !/^[\w!#$%&'*+.^`|~-]+$/.test(name) || /[\0\r\n\u0100-\uffff]/.test(headers[name]!));

/**
 * A close reason that names the request: `GET http://h/echo/info: HTTP 404`. The query is left
 * out (it may carry a token), and the URL cut short so that the reason fits a WebSocket close
 * reason (123 bytes): URLs are ASCII (percent-encoded), every `why` resock gives is ASCII and
 * under 70 characters, and methods have 3 or 4 letters.
 */
export const requestReason = (method: string, url: string, why: string): string =>
  `${method} ${url.split('?')[0]!.slice(0, 120 - method.length - why.length)}: ${why}`;

/** Starts one request: `request` (XHR and fetch) or `fetchOnlyRequest`. */
export type Requester = (env: Env, spec: RequestSpec) => HttpRequest;

/**
 * Streams through fetch, read as they arrive (XHR's progress events come at most every 50 ms).
 * Everything else through XMLHttpRequest where there is one: in Chromium a short request costs
 * several ms less of it than of fetch. fetch for `noCors`, and where there is no XHR (workers, Node).
 */
export const request: Requester = (env, spec) =>
  env.XMLHttpRequest && !(env.fetch && (spec.onChunk ? env.fetchStreams : spec.noCors || spec.keepalive)) && invalidHeader(requestHeaders(spec)) === undefined
    ? xhrRequest(env.XMLHttpRequest, spec)
    : fetchOnlyRequest(env, spec);

/**
 * fetch alone: how `/info` is asked when no HTTP transport is bundled, so that an app that only
 * uses WebSocket carries no XHR code (every platform with WebSocket has fetch). Without fetch it
 * fails at once, saying so: never a throw out of a timer.
 */
export const fetchOnlyRequest: Requester = (env, spec) => {
  const refused = invalidHeader(requestHeaders(spec));
  if (refused !== undefined) return settled(failed(INVALID_HEADER, refused));
  return env.fetch ? fetchRequest(env.fetch, spec) : settled(failed(NETWORK_ERROR, 'no fetch or XMLHttpRequest here'));
};

/** A request that ended before it started. */
const settled = (result: HttpResult): HttpRequest => ({ done: Promise.resolve(result), abort: () => undefined });

const failed = (status: number, body = ''): HttpResult => ({ status, body });
const noAnswer = () => failed(NETWORK_ERROR);

const requestHeaders = (spec: RequestSpec): RequestHeaders =>
  spec.contentType ? { ...spec.headers, 'Content-Type': spec.contentType } : spec.headers;

function fetchRequest(fetchFn: typeof fetch, spec: RequestSpec): HttpRequest {
  const controller = new AbortController();
  const done = fetchFn(spec.url, {
    method: spec.method,
    body: spec.body,
    headers: requestHeaders(spec),
    credentials: spec.withCredentials ? 'include' : 'same-origin',
    cache: 'no-store',
    mode: spec.noCors ? 'no-cors' : 'cors',
    signal: controller.signal,
    keepalive: spec.keepalive,
  })
    .then(async (response) => {
      // An opaque body can never be read; abort it, or Chromium keeps the request pending.
      if (response.type === 'opaque') {
        controller.abort();
        return failed(200);
      }
      const onChunk = response.status === 200 && spec.onChunk;
      let body = '';
      if (!response.body) body = await response.text();
      else {
        // Read as it arrives and stop at the limit: `text()` would first hold an endless body whole.
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        for (let more = true; more && body.length <= spec.maxLength; ) {
          const chunk = await reader.read();
          // The last decode, of nothing, ends a character cut off at the end as U+FFFD, as text()
          // and XHR do: those bytes are not dropped unseen.
          const text = decoder.decode(chunk.value, { stream: (more = !chunk.done) });
          if (onChunk) onChunk(text);
          else body += text;
        }
      }
      if (body.length <= spec.maxLength) return { status: response.status, body };
      controller.abort();
      return failed(TOO_LARGE);
    })
    .catch(noAnswer);
  return { done, abort: () => controller.abort() };
}

function xhrRequest(XHR: typeof XMLHttpRequest, spec: RequestSpec): HttpRequest {
  const xhr = new XHR();
  let delivered = 0;
  let settle: (result: HttpResult) => void = () => undefined;
  const done = new Promise<HttpResult>((resolve) => (settle = resolve));
  const finish = (result: HttpResult): void => {
    xhr.onprogress = xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onabort = null;
    settle(result);
  };
  // XHR keeps the whole body in responseText: hand on only what is new since the last event.
  const deliverNew = (): boolean => {
    const text = xhr.responseText;
    if (text.length > spec.maxLength) {
      // Settled first: abort() fires `abort` at once.
      finish(failed(TOO_LARGE));
      xhr.abort();
      return false;
    }
    if (spec.onChunk && xhr.status === 200 && text.length > delivered) {
      spec.onChunk(text.slice(delivered));
      delivered = text.length;
    }
    return true;
  };

  xhr.onprogress = () => void deliverNew();
  xhr.onload = () => {
    if (deliverNew()) finish(spec.onChunk && xhr.status === 200 ? failed(200) : { status: xhr.status, body: xhr.responseText });
  };
  // `abort` without our abort(): Chromium's window.stop() aborts every XHR of the page.
  xhr.onerror = xhr.ontimeout = xhr.onabort = () => finish(noAnswer());
  try {
    xhr.open(spec.method, spec.url, true);
    const headers = requestHeaders(spec);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]!);
    xhr.withCredentials = spec.withCredentials;
    xhr.send(spec.body ?? null);
  } catch {
    // What invalidHeader() does not foresee and XHR refuses: fetch would reject, so no answer.
    finish(noAnswer());
  }
  return {
    done,
    abort: () => {
      xhr.onprogress = xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onabort = null;
      xhr.abort();
    },
  };
}
