/**
 * `resock/transports`: each transport as an object, for `resock/core`'s `transports` option. Only
 * what an app imports is bundled. Best first: websocket, xhrStreaming, eventSource, xhrPolling,
 * jsonpPolling — candidates are tried in that order, whatever order they are given in.
 */
export { websocket } from './transports/websocket';
export { xhrStreaming, eventSource, xhrPolling, jsonpPolling } from './transports/http-transports';
export type { TransportDescriptor, TransportName } from './transports/types';
