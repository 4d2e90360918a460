/**
 * `resock/stomp`: a STOMP 1.2 client (1.0 and 1.1 negotiated too) over anything WebSocket-shaped:
 * a `Resock`, a `SockJS` or a native `WebSocket`.
 */
export { StompClient, type ActivationState, type PublishParams, type StompTransaction, type StompEventMap, type StompEvent } from './client';
export { StompClosedError } from './session';
export type { StompClientOptions } from './options';
export type { StompFrame, StompHeaders } from './frame';
export type { StompMessage, StompSubscription, MessageHandler } from './subscriptions';
export type { StompSocket } from './socket';
export { QueueOverflowError } from '../client/queue';
