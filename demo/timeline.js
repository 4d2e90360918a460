// The timeline of connection events, newest first: what the client saw (resock's events), what
// the server saw of this page's requests (sent over the chat link as `trace` messages) and what
// the user asked for. Entries are kept in time order, so the server's report of a refused
// WebSocket lands before the client's "open via xhr-streaming" that it explains.

const LIMIT = 200;

const pad = (n, width = 2) => String(n).padStart(width, '0');
export const clockTime = (at) => {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

export class Timeline {
  constructor(list) {
    this.list = list;
  }

  /** `source`: 'client' | 'server' | 'you'; `level`: 'info' | 'ok' | 'warn' | 'error'. */
  add(source, text, { level = 'info', at = Date.now() } = {}) {
    const item = document.createElement('li');
    item.className = `event ${level}`;
    item.dataset.at = String(at);
    item.dataset.source = source;
    const time = document.createElement('time');
    time.dateTime = new Date(at).toISOString();
    time.textContent = clockTime(at);
    const who = document.createElement('span');
    who.className = `source ${source}`;
    who.textContent = source;
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = text;
    item.append(time, who, what);

    // Newest first: before the first entry that is not newer than this one.
    let before = this.list.firstElementChild;
    while (before && Number(before.dataset.at) > at) before = before.nextElementSibling;
    this.list.insertBefore(item, before);
    while (this.list.children.length > LIMIT) this.list.lastElementChild.remove();
  }
}
