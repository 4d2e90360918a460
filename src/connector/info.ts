import type { Env } from '../env/env';
import { request } from '../net/request';
import { CloseCode, type CloseInfo } from '../protocol/codes';
import { parseInfo, type ServerInfo } from '../protocol/info';
import { infoUrl } from '../protocol/url';
import type { TransportOptions } from '../transports/types';

/** sockjs-client's limit for `/info`; its round trip is the RTT sample for every timeout. */
export const INFO_TIMEOUT = 8000;

export type InfoResult = { ok: true; info: ServerInfo; rtt: number } | { ok: false; close: CloseInfo };

const cannotConnect = (code: number = CloseCode.CannotConnect): InfoResult => ({
  ok: false,
  close: { code, reason: 'Cannot connect to server', wasClean: false },
});

/**
 * `GET <base>/info`. A non-2xx answer closes with the HTTP status as the code (401, 404…), so an
 * app can tell "not allowed" from "not there"; no answer, or not JSON, closes with 1002.
 */
export function fetchInfo(env: Env, baseUrl: string, options: TransportOptions): { done: Promise<InfoResult>; abort(): void } {
  const startedAt = env.now();
  const req = request(env, {
    method: 'GET',
    url: infoUrl(baseUrl, startedAt),
    headers: options.headers,
    withCredentials: options.withCredentials,
    maxLength: 65536,
  });
  let timer: unknown;
  const timedOut = new Promise<InfoResult>((resolve) => {
    timer = env.setTimeout(() => {
      req.abort();
      resolve(cannotConnect());
    }, INFO_TIMEOUT);
  });
  const answered = req.done.then(({ status, body }): InfoResult => {
    env.clearTimeout(timer);
    if (status < 200 || status >= 300) return cannotConnect(status > 0 ? status : undefined);
    const info = parseInfo(body);
    return info ? { ok: true, info, rtt: env.now() - startedAt } : cannotConnect();
  });
  return {
    done: Promise.race([answered, timedOut]),
    abort: () => {
      env.clearTimeout(timer);
      req.abort();
    },
  };
}
