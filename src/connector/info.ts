import type { Env } from '../env/env';
import { failureText, fetchOnlyRequest, requestReason, type Requester } from '../net/request';
import { CloseCode, closeInfo, type CloseInfo } from '../protocol/codes';
import { parseInfo, type ServerInfo } from '../protocol/info';
import { infoUrl } from '../protocol/url';
import type { TransportOptions } from '../transports/types';

/** sockjs-client's limit for `/info`; its round trip is the RTT sample for every timeout. */
export const INFO_TIMEOUT = 8000;

export type InfoResult = { ok: true; info: ServerInfo; rtt: number } | { ok: false; close: CloseInfo };

/**
 * `GET <base>/info`. A non-2xx answer closes with the HTTP status as the code (401, 404…), so an
 * app can tell "not allowed" from "not there"; no answer, a timeout, a body too large or not a
 * JSON object closes with 1002. Asked with `request`: that of the bundled HTTP transports, else fetch alone.
 */
export function fetchInfo(env: Env, baseUrl: string, options: TransportOptions, request: Requester = fetchOnlyRequest): { done: Promise<InfoResult>; abort(): void } {
  const startedAt = env.now();
  const url = infoUrl(baseUrl, startedAt);
  // The reason says which URL and why: the HTTP status, no answer, a refused header, not JSON.
  const cannotConnect = (why: string, code: number = CloseCode.CannotConnect): InfoResult => ({
    ok: false,
    close: closeInfo(code, requestReason('GET', url, why)),
  });
  const req = request(env, { method: 'GET', url, headers: options.headers, withCredentials: options.withCredentials, maxLength: 65536 });
  let timer: unknown;
  const timedOut = new Promise<InfoResult>((resolve) => {
    timer = env.setTimeout(() => {
      req.abort();
      resolve(cannotConnect('timed out'));
    }, INFO_TIMEOUT);
  });
  const answered = req.done.then((result): InfoResult => {
    env.clearTimeout(timer);
    const { status } = result;
    if (status < 200 || status >= 300) return cannotConnect(failureText(result), status > 0 ? status : undefined);
    const info = parseInfo(result.body);
    return info ? { ok: true, info, rtt: env.now() - startedAt } : cannotConnect('not JSON');
  });
  return {
    done: Promise.race([answered, timedOut]),
    abort: () => {
      env.clearTimeout(timer);
      req.abort();
    },
  };
}
