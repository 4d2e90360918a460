// Messages per room and their view. A message from the server has its id; one of ours that the
// server has not echoed yet has only its `cid`, and a status that tells where it is:
//   queued — in resock's queue, no link open; sent — handed to the link; delivered — echoed.

const HISTORY = 300;

const hue = (nick) => {
  let h = 0;
  for (const ch of nick) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
};
const hhmm = (ts) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const STATUS_TEXT = { queued: 'queued — waiting for a link', sent: 'sent', delivered: 'delivered', failed: 'not sent' };

export class Rooms {
  constructor() {
    this.byName = new Map(); // name → { messages: [], lastId }
  }

  room(name) {
    let room = this.byName.get(name);
    if (!room) this.byName.set(name, (room = { messages: [], lastId: 0 }));
    return room;
  }

  /** Adds a message of the server; returns [the model, whether it is new], or null for a duplicate id. */
  receive(msg) {
    const room = this.room(msg.room);
    if (msg.id <= room.lastId && room.messages.some((m) => m.id === msg.id)) return null;
    room.lastId = Math.max(room.lastId, msg.id);
    const mine = msg.cid ? room.messages.find((m) => m.cid === msg.cid && !m.id) : null;
    if (mine) {
      Object.assign(mine, { id: msg.id, ts: msg.ts, via: msg.via, status: 'delivered' });
      return [mine, false];
    }
    const model = { id: msg.id, cid: msg.cid, nick: msg.nick, text: msg.text, ts: msg.ts, via: msg.via, mine: false };
    // Keep server order; our undelivered messages stay last.
    let index = room.messages.length;
    while (index > 0 && (!room.messages[index - 1].id || room.messages[index - 1].id > msg.id)) index--;
    room.messages.splice(index, 0, model);
    if (room.messages.length > HISTORY) room.messages.shift();
    return [model, true];
  }

  addOwn(roomName, model) {
    this.room(roomName).messages.push(model);
  }

  /** Our messages that are not delivered yet, in every room. */
  pending() {
    const list = [];
    for (const room of this.byName.values()) for (const m of room.messages) if (m.mine && !m.id && m.status !== 'failed') list.push(m);
    return list;
  }
}

export class MessageView {
  constructor(list) {
    this.list = list;
    this.nodes = new WeakMap(); // model → <li>
  }

  /** Replaces the list (room switch): the live region is muted so history is not read out. */
  showAll(models) {
    this.list.setAttribute('aria-live', 'off');
    this.list.replaceChildren(...models.map((m) => this.node(m)));
    this.scrollToEnd(true);
    requestAnimationFrame(() => this.list.setAttribute('aria-live', 'polite'));
  }

  /** Shows a new model in place (server order), or refreshes one already shown. */
  upsert(model, models) {
    const stick = this.nearEnd();
    const existing = this.nodes.get(model);
    const node = this.node(model);
    if (!existing) {
      const next = models[models.indexOf(model) + 1];
      this.list.insertBefore(node, (next && this.nodes.get(next)) || null);
      // The list shows `models`, which keep the room's last HISTORY: what they let go goes too.
      while (this.list.children.length > models.length) this.list.firstElementChild.remove();
    }
    if (stick || model.mine) this.scrollToEnd();
  }

  node(model) {
    let li = this.nodes.get(model);
    if (!li) {
      li = document.createElement('li');
      li.className = 'msg';
      li.innerHTML =
        '<span class="avatar" aria-hidden="true"></span><div class="bubble"><p class="meta"><span class="nick"></span> ' +
        '<time></time> <span class="via"></span> <span class="status"></span></p><p class="text"></p></div>';
      li.querySelector('.avatar').textContent = (model.nick.trim()[0] || '?').toUpperCase();
      li.style.setProperty('--hue', String(hue(model.nick)));
      li.querySelector('.nick').textContent = model.nick;
      li.querySelector('.text').textContent = model.text;
      this.nodes.set(model, li);
    }
    li.classList.toggle('mine', !!model.mine);
    li.dataset.status = model.status || 'delivered';
    if (model.id) li.dataset.id = String(model.id);
    if (model.cid) li.dataset.cid = model.cid;
    const time = li.querySelector('time');
    if (model.ts) {
      time.dateTime = new Date(model.ts).toISOString();
      time.textContent = hhmm(model.ts);
    }
    li.querySelector('.via').textContent = model.via ? `via ${model.via}` : '';
    li.querySelector('.status').textContent = model.mine ? STATUS_TEXT[model.status] || '' : '';
    return li;
  }

  nearEnd() {
    const { scrollTop, scrollHeight, clientHeight } = this.list;
    return scrollHeight - scrollTop - clientHeight < 80;
  }

  scrollToEnd(instant = false) {
    this.list.scrollTo({ top: this.list.scrollHeight, behavior: instant ? 'instant' : 'smooth' });
  }
}
