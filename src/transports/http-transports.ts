import type { Env } from '../env/env';
import { request } from '../net/request';
import { sharedMemory } from './memory';
import { httpTransport } from './http/http-transport';
import { jsonpReceiver } from './http/jsonp-receiver';
import { eventSourceReceiver, xhrPollingReceiver, xhrStreamingReceiver, type StartReceiver } from './http/receivers';
import { formSendEncoding, xhrSendEncoding, type SendEncoding } from './http/sender';
import type { TransportDescriptor, TransportName } from './types';

const canRequest = (env: Env) => !!(env.fetch || env.XMLHttpRequest);
const canStream = (env: Env) => env.fetchStreams || !!env.XMLHttpRequest;

function httpDescriptor(
  name: TransportName,
  roundTrips: number,
  isSupported: (env: Env) => boolean,
  receiver: StartReceiver,
  encoding: SendEncoding,
): TransportDescriptor {
  return {
    name,
    roundTrips,
    isSupported,
    create: (sessionUrl, env, options) => httpTransport(sessionUrl, env, options, receiver, encoding),
    request,
    memory: sharedMemory,
  };
}

/**
 * Streams read with fetch + ReadableStream where the platform has it, XMLHttpRequest otherwise.
 * `eventsource` reads the `text/event-stream` body the same way rather than through the
 * EventSource API, so it too carries `headers` and stops at once on `close()`.
 */
export const xhrStreaming = httpDescriptor('xhr-streaming', 2, canStream, xhrStreamingReceiver, xhrSendEncoding);
export const eventSource = httpDescriptor('eventsource', 2, canStream, eventSourceReceiver, xhrSendEncoding);
export const xhrPolling = httpDescriptor('xhr-polling', 2, canRequest, xhrPollingReceiver, xhrSendEncoding);
// Sends go as no-cors form posts, which only fetch can make.
export const jsonpPolling = httpDescriptor('jsonp-polling', 1, (env) => !!env.document && !!env.fetch, jsonpReceiver, formSendEncoding);
