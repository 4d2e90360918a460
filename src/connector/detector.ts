import type { Env } from '../env/env';
import type { ServerInfo, TransportDescriptor, TransportName } from '../transports/types';

/**
 * The candidate list: what the environment supports ∩ what the server offers ∩ what the user
 * allows, best first, with transports remembered as blocked on this URL moved to the end.
 */
export function candidates(
  descriptors: readonly TransportDescriptor[],
  env: Env,
  info: ServerInfo,
  allowed: readonly TransportName[] | null,
  blocked: readonly TransportName[],
): TransportDescriptor[] {
  const usable = descriptors.filter((d) => (!allowed || allowed.indexOf(d.name) !== -1) && supported(d, env, info));
  const isBlocked = (d: TransportDescriptor) => blocked.indexOf(d.name) !== -1;
  return usable.filter((d) => !isBlocked(d)).concat(usable.filter(isBlocked));
}

/** An app's own descriptor that throws here is taken for unsupported: it must not stop the connector. */
function supported(d: TransportDescriptor, env: Env, info: ServerInfo): boolean {
  try {
    return d.isSupported(env, info);
  } catch {
    return false;
  }
}
