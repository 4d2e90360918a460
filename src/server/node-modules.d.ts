// The few Node modules the companion uses, declared here rather than through @types/node: the
// project compiles src/ as one program for the browser (`types: []`), where Node's globals
// (`process`, `Buffer`, its `setTimeout`) must stay unknown. Declarations only, never emitted.
declare module 'node:crypto' {
  export function randomBytes(size: number): { toString(encoding: 'base64url'): string };
}
declare module 'node:events' {
  export class EventEmitter {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's own listener type
    on(event: string, listener: (...args: any[]) => void): this;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    once(event: string, listener: (...args: any[]) => void): this;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    removeListener(event: string, listener: (...args: any[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
    removeAllListeners(event?: string): this;
    listenerCount(event: string): number;
  }
}
declare module 'node:stream' {
  import { EventEmitter } from 'node:events';
  /** Node's legacy Stream, which sockjs-node's connections are: an EventEmitter with `pipe`. */
  export class Stream extends EventEmitter {
    pipe<T>(destination: T, options?: { end?: boolean }): T;
  }
}
