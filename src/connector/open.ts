import type { Env } from '../env/env';
import { randomServerId } from '../protocol/url';
import type { TransportDescriptor } from '../transports/types';
import type { Memory } from '../transports/types';
import { connector, type Connector, type ConnectHandlers } from './connector';
import { MAX_FRAME_LENGTH, type ResolvedConnectionOptions } from './options';

/** With no HTTP transport bundled (the memory comes with them): one transport, no order to learn. */
const noMemory: Memory = { blocked: () => [], remember: () => undefined };

/**
 * Starts one connection attempt (a Connector) from resolved user options, over `descriptors`: the
 * transports of the entry point (all five for `resock`) with those handed in as objects.
 */
export function openConnector(
  url: string,
  env: Env,
  options: ResolvedConnectionOptions,
  headers: Record<string, string>,
  handlers: ConnectHandlers,
  descriptors: readonly TransportDescriptor[],
  retry?: number,
): Connector {
  // Objects handed in are tried in the order given, before the entry's own.
  const all = options.given.concat(descriptors.filter((d) => !options.given.some((g) => g.name === d.name)));
  return connector(
    {
      url,
      // Not a spread: it would read env's lazy getters (sessionStorage) at every connect.
      env: options.WebSocket ? Object.assign(Object.create(env) as Env, { WebSocket: options.WebSocket }) : env,
      descriptors: all,
      // Objects handed in are allowed with the names; neither allows all.
      allowed: options.allowed && options.allowed.concat(options.given.map((d) => d.name)),
      transportOptions: { headers, withCredentials: options.withCredentials, maxFrameLength: MAX_FRAME_LENGTH, mark: options.mark },
      timeout: options.timeout,
      retry,
      serverId: options.server || randomServerId(env.randomBytes),
      sessionId: () => options.sessionId(env),
      memory: all.map((d) => d.memory).find(Boolean) || noMemory,
      debug: options.debug,
    },
    handlers,
  );
}
