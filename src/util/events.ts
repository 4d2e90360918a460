/**
 * Events shaped like the browser's own, built with the platform's constructors where they exist
 * (Node 20 has no CloseEvent) so `instanceof MessageEvent` holds in browsers.
 */
export interface ResockCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

function withFields<T extends Event>(event: Event, fields: Record<string, unknown>): T {
  for (const key in fields) Object.defineProperty(event, key, { value: fields[key], enumerable: true });
  return event as T;
}

export function messageEvent(data: string): MessageEvent<string> {
  return typeof MessageEvent === 'function' ? new MessageEvent('message', { data }) : withFields(new Event('message'), { data });
}

export function closeEvent(code: number, reason: string, wasClean: boolean): ResockCloseEvent {
  return typeof CloseEvent === 'function'
    ? new CloseEvent('close', { code, reason, wasClean })
    : withFields(new Event('close'), { code, reason, wasClean });
}

/** Detail-carrying events (`reconnecting`, `drop`…), without relying on a global CustomEvent. */
export function detailEvent<T>(type: string, detail: T): Event & { readonly detail: T } {
  return withFields(new Event(type), { detail });
}
