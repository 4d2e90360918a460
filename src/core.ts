/**
 * `resock/core`: the reconnecting client without any transport. Hand in the ones the app uses,
 * from `resock/transports`, and the bundler leaves the others out:
 *
 *   import { Resock } from 'resock/core';
 *   import { websocket, xhrStreaming, xhrPolling } from 'resock/transports';
 *   const chat = new Resock('https://example.com/chat', { transports: [websocket, xhrStreaming, xhrPolling] });
 */
export { Resock, type ResockState, type ResockEventMap, type ReconnectingDetail, type CallbackErrorDetail } from './client/resock';
export type { ResockOptions, ReconnectOptions, QueueOptions, BeforeConnectContext, ConnectChanges } from './client/options';
export { QueueOverflowError, type OverflowPolicy } from './client/queue';
export { backoffDelay } from './client/backoff';
export { CloseCode, type CloseInfo } from './protocol/codes';
export { InvalidAccessError, InvalidStateError } from './util/errors';
export type { ResockCloseEvent } from './util/events';
export type { TransportName, ServerInfo, TransportDescriptor } from './transports/types';
export type { ConnectionOptions, HeadersOption, TransportChoice } from './connector/options';
