/**
 * A tiny typed emitter. `on()` returns the unsubscribe function. Listeners are snapshotted
 * before dispatch so a listener may remove itself (or others) while being called.
 */
export class Emitter<Events extends Record<string, unknown>> {
  private _listeners: { [K in keyof Events]?: Array<(value: Events[K]) => void> } = {};

  on<K extends keyof Events>(type: K, fn: (value: Events[K]) => void): () => void {
    (this._listeners[type] ||= []).push(fn);
    return () => {
      const list = this._listeners[type];
      if (list) this._listeners[type] = list.filter((f) => f !== fn);
    };
  }

  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    const list = this._listeners[type];
    if (list) for (const fn of list.slice()) fn(value);
  }

  /** Drops every listener: after this nothing this emitter says reaches anyone. */
  clear(): void {
    this._listeners = {};
  }
}
