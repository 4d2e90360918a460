import type { Env } from '../env/env';
import { request } from '../transports/http/request';
import type { ServerInfo, TransportOptions } from '../transports/types';
import { CloseCode, type CloseInfo } from './codes';
import { infoUrl } from './url';

/** sockjs-client's limit for `/info`; its round trip is the RTT sample for every timeout. */
export const INFO_TIMEOUT = 8000;

export type InfoResult = { ok: true; info: ServerInfo; rtt: number } | { ok: false; close: CloseInfo };

const cannotConnect = (code: number = CloseCode.CannotConnect): InfoResult => ({
  ok: false,
  close: { code, reason: 'Cannot connect to server', wasClean: false },
});

function parseInfo(body: string): ServerInfo | null {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as ServerInfo) : null;
  } catch {
    return null;
  }
}

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
