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
      env: options.WebSocket ? { ...env, WebSocket: options.WebSocket } : env,
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
