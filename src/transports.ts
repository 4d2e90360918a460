/**
 * `resock/transports`: each transport as an object, for `resock/core`'s `transports` option. Only
 * what an app imports is bundled. They are tried in the order given: best first is websocket,
 * xhrStreaming, eventSource, xhrPolling, jsonpPolling.
 */
export { websocket } from './transports/websocket';
export { xhrStreaming, eventSource, xhrPolling, jsonpPolling } from './transports/http-transports';
export type { TransportDescriptor, TransportName } from './transports/types';
