import type { Env } from '../env/env';
import { randomServerId } from '../protocol/url';
import { allTransports } from '../transports/index';
import type { TransportDescriptor } from '../transports/types';
import { Connector, type ConnectHandlers } from './connector';
import { sharedMemory } from './memory';
import { MAX_FRAME_LENGTH, type ResolvedConnectionOptions } from './options';

/** Starts one connection attempt (a Connector) from resolved user options. */
export function openConnector(
  url: string,
  env: Env,
  options: ResolvedConnectionOptions,
  headers: Record<string, string>,
  handlers: ConnectHandlers,
  descriptors: readonly TransportDescriptor[] = allTransports,
): Connector {
  return new Connector(
    {
      url,
      // Not a spread: it would read env's lazy getters (sessionStorage) at every connect.
      env: options.WebSocket ? Object.assign(Object.create(env) as Env, { WebSocket: options.WebSocket }) : env,
      descriptors,
      allowed: options.allowed,
      transportOptions: { headers, withCredentials: options.withCredentials, maxFrameLength: MAX_FRAME_LENGTH },
      timeout: options.timeout,
      serverId: options.server || randomServerId(env.randomBytes),
      sessionId: () => options.sessionId(env),
      memory: sharedMemory,
      debug: options.debug,
    },
    handlers,
  );
}
