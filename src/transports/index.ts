import { eventSource, jsonpPolling, xhrPolling, xhrStreaming } from './http-transports';
import type { TransportDescriptor } from './types';
import { websocket } from './websocket';

/** Every transport, best first: the order in which candidates are tried. */
export const allTransports: readonly TransportDescriptor[] = [websocket, xhrStreaming, eventSource, xhrPolling, jsonpPolling];
export type { Transport, TransportDescriptor, TransportName, ServerInfo, TransportOptions } from './types';
