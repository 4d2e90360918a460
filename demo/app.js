// The demo's page: a chat over one `Resock`, and a panel that shows what the connection does.
// It takes the Resock class (and resock/stomp's StompClient) as parameters, so the same code runs
// whether the library came in through <script> tags (index.html) or ES module imports (esm.html).
import { renderLayout, TRANSPORTS } from './layout.js';
import { MessageView, Rooms } from './messages.js';
import { Sparkline } from './sparkline.js';
import { startStompRoom } from './stomp-room.js';
import { Timeline } from './timeline.js';

// The demo waits at most 5 s between attempts (the library's default is 15 s), so that a
// person who pulls the plug sees it come back before losing interest.
const RECONNECT = { minDelay: 500, maxDelay: 5000 };
const PING_EVERY_MS = 1000;

const randomId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
};
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const bytes = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const BLOCKED_WS_ONLY = 'WebSocket is blocked, and it is the only transport picked: nothing can connect. Pick another transport (or auto), then allow WebSocket again.';
const STOMP_ROOM = '~stomp'; // a key no chat room can have: the shared room, over STOMP
const roomLabel = (name) => (name === STOMP_ROOM ? '#stomp' : `#${name}`);
/** A room name as the server keeps it: lower case, letters, digits and dashes. */
const cleanRoom = (name) =>
  String(name || '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);

export function startChat(Resock, { variant, StompClient = null, shared = null, root = document.body }) {
  renderLayout(root, variant);
  const $ = (id) => document.getElementById(id);
  /** Writes only what changed: the view is refreshed ten times a second. */
  const setText = (id, text) => {
    const node = $(id);
    if (node.textContent !== text) node.textContent = text;
  };
  const params = new URLSearchParams(location.search);

  // `?shared=1`: every tab of this browser uses one link (resock/shared). Tabs share a link only
  // for the same URL, so they share one client id too, kept for the browser.
  const sharing = !!shared && params.get('shared') === '1';
  const clientId = (sharing && sharedClientId()) || randomId(); // the server keys its fault switches on it
  const url = `/chat?client=${encodeURIComponent(clientId)}`;
  const timeline = new Timeline($('timeline'));
  const sparkline = new Sparkline($('sparkline'), $('rtt-now'), $('rtt-stats'));
  const rooms = new Rooms();
  const view = new MessageView($('messages'));

  const saved = (key) => {
    try {
      return sessionStorage.getItem(`resock-demo:${key}`);
    } catch {
      return null;
    }
  };
  const save = (key, value) => {
    try {
      sessionStorage.setItem(`resock-demo:${key}`, value);
    } catch {
      // Storage denied: the page works without it.
    }
  };

  function sharedClientId() {
    try {
      const id = localStorage.getItem('resock-demo:shared-client') || randomId();
      localStorage.setItem('resock-demo:shared-client', id);
      return id;
    } catch {
      return null; // storage denied: this tab cannot find the others' link
    }
  }

  let nick = (params.get('nick') || saved('nick') || `guest-${Math.floor(1000 + Math.random() * 9000)}`).slice(0, 24);
  let room = cleanRoom(params.get('room')) || 'lobby'; // the room on screen
  let chatRoom = room; // the demo server's room we are in (the STOMP room is the broker's)
  let picked = TRANSPORTS.includes(params.get('transport')) ? params.get('transport') : 'auto';
  let client = null;
  let generations = 0; // one per client made; events of an older client are ignored
  // A message's `cid` and a control request's `ref` let the server drop a re-sent copy. Each is
  // random: the tabs of a shared link (and a reload of one) have one client id, so a count of
  // the page's own would repeat, and the server would drop the repeat as a copy; and a cid goes
  // to everyone in the room, who must not learn the client id that the fault switches obey.
  /** A control request, with an id so that the server can ignore a re-sent copy. */
  const control = (action) => send({ type: 'control', action, ref: randomId() });
  let queuedCount = 0; // messages handed to `send` while not open, not flushed yet
  let retryAt = 0;
  let attempt = 0;
  let reconnects = 0;
  let connectingSince = 0;
  let offlineUntil = 0;
  let wsBlocked = false;
  let node = null; // the cluster node that serves this page's link (cluster mode only)
  let cluster = false;
  let roomList = [];
  let members = [];
  let stomp = null;
  let stompInfo = null;
  let stompSeq = 0;

  $('nick').value = nick;
  $('transport-picker').value = picked;

  // ---- the connection -------------------------------------------------------------------

  function connect(carry = []) {
    // resock's `debug` hook tells what the connector does: each transport tried, each fallback.
    const generation = ++generations;
    const options = { reconnect: RECONNECT, debug: (event, detail) => generation === generations && onDebug(event, detail) };
    if (picked !== 'auto') options.transports = picked;
    if (sharing) options.shared = shared({ key: 'demo' });
    const c = (client = new Resock(url, options));
    attempt = 0;
    queuedCount = 0;
    connectingSince = performance.now();
    timeline.add('client', `new Resock('/chat?client=…', { transports: ${picked === 'auto' ? 'all five' : `'${picked}'`} })`);
    const mine = (fn) => (event) => c === client && fn(event);

    c.addEventListener('state', mine(({ detail }) => {
      if (detail.next === 'connecting') connectingSince = performance.now();
      if (detail.next === 'connecting' && attempt > 0) timeline.add('client', `attempt ${attempt}: connecting`);
      announce(detail.next);
      render();
    }));
    c.addEventListener('open', mine(() => {
      const took = Math.round(performance.now() - connectingSince);
      timeline.add('client', `open via ${c.transport} in ${took} ms`, { level: 'ok' });
      attempt = 0;
      // Queued `say`s went out just before this event; they carry their room, so order is fine.
      send({ type: 'join', room: chatRoom, nick, since: rooms.room(chatRoom).lastId });
      render();
    }));
    c.addEventListener('drain', mine(() => {
      if (queuedCount) timeline.add('client', `flushed ${plural(queuedCount, 'queued message')} to the new link, in order`, { level: 'ok' });
      queuedCount = 0;
      for (const m of rooms.pending()) if (m.status === 'queued') setStatus(m, 'sent');
      render();
    }));
    c.addEventListener('reconnecting', mine(({ detail }) => {
      const { lastClose, delay } = detail;
      attempt = detail.attempt;
      reconnects++;
      retryAt = performance.now() + delay;
      sparkline.markOutage();
      timeline.add('client', `link lost: ${lastClose.code} “${lastClose.reason}” — retry #${detail.attempt} in ${seconds(delay)}`, { level: 'warn' });
      if (detail.attempt === 1 && wsBlocked && picked === 'websocket') timeline.add('note', BLOCKED_WS_ONLY, { level: 'warn' });
      render();
    }));
    c.addEventListener('close', mine((event) => {
      timeline.add('client', `closed: ${event.code} “${event.reason}”${event.wasClean ? '' : ' (not clean)'}`, { level: event.code === 1000 ? 'info' : 'error' });
      render();
    }));
    c.addEventListener('message', mine((event) => onServerMessage(event.data)));

    for (const m of carry) send(m.payload, m);
    render();
  }

  function onDebug(event, detail) {
    if (event === 'shared:role') {
      tabs.role(detail.role);
    } else if (event === 'shared:unavailable') {
      timeline.add('tabs', `cannot share here (${detail.reason}): this tab runs its own link`, { level: 'warn' });
    } else if (event === 'info') {
      timeline.add('client', `/info answered in ${Math.round(detail.rtt)} ms${detail.websocket ? '' : ' (server has WebSocket off)'}`);
    } else if (event === 'transport:start') {
      timeline.add('client', `trying ${detail.transport}`);
    } else if (event === 'transport:fail') {
      timeline.add('client', `${detail.transport} failed: ${detail.code} “${detail.reason}”`, { level: 'warn' });
    } else if (event === 'transport:open' && detail.blocked && detail.blocked.length) {
      timeline.add('client', `remembers for this URL that ${detail.blocked.join(', ')} failed: tried last next time`);
    }
  }

  /** Sends through resock, which queues while not open. Returns false if it refused. */
  function send(payload, model) {
    const wasOpen = client.readyState === Resock.OPEN;
    try {
      client.send(JSON.stringify(payload));
    } catch (error) {
      // QueueOverflowError when the queue is full, InvalidStateError once the client closed.
      note(`Not sent: ${error.message}`);
      if (model) setStatus(model, 'failed');
      return false;
    }
    if (!wasOpen) queuedCount++;
    if (model) setStatus(model, wasOpen ? 'sent' : 'queued');
    render();
    return true;
  }

  /** Moves to a new client; what the old one had queued (never handed to a link) moves over. */
  function restart() {
    const carry = rooms.pending().filter((m) => m.status === 'queued' && !m.stomp);
    const old = client;
    client = null;
    if (old && old.state !== 'closed' && old.state !== 'closing') old.close();
    sparkline.markOutage();
    connect(carry);
    if (stomp) restartStomp();
  }

  // ---- the shared STOMP room (when the demo server relays to a broker) ----------------------

  function resockOptions() {
    return picked === 'auto' ? { reconnect: RECONNECT } : { reconnect: RECONNECT, transports: picked };
  }

  function startStomp() {
    stomp = startStompRoom({
      Resock,
      StompClient,
      info: stompInfo,
      clientId,
      resockOptions: resockOptions(),
      log: (text, level) => timeline.add('stomp', text, { level }),
      onChange() {
        if (stomp && stomp.connected) for (const m of rooms.pending()) if (m.stomp && m.status === 'queued') setStatus(m, 'sent');
        render();
      },
      onMessage(body) {
        const result = rooms.receive({ ...body, room: STOMP_ROOM, id: ++stompSeq });
        if (result && room === STOMP_ROOM) view.upsert(result[0], rooms.room(STOMP_ROOM).messages);
      },
    });
  }

  /** A new STOMP client on the transports picked; what the old one still held is published again. */
  function restartStomp() {
    const carry = rooms.pending().filter((m) => m.stomp && m.status === 'queued');
    const old = stomp;
    stomp = null;
    old.stop().catch(() => undefined);
    startStomp();
    for (const m of carry) publish(m);
  }

  function publish(model) {
    const connected = stomp.connected;
    try {
      stomp.publish(model.payload);
    } catch (error) {
      note(`Not sent: ${error.message}`);
      return setStatus(model, 'failed');
    }
    setStatus(model, connected ? 'sent' : 'queued');
  }

  // ---- what the server says ----------------------------------------------------------------

  function onServerMessage(raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'welcome':
        wsBlocked = !!msg.wsBlocked;
        cluster = !!msg.cluster;
        if (msg.node && msg.node !== node) timeline.add('server', `${node ? 'now ' : ''}served by node ${msg.node}`, { level: node ? 'warn' : 'info' });
        node = msg.node || null;
        roomList = msg.rooms;
        if (msg.stomp && StompClient && !stomp) {
          stompInfo = msg.stomp;
          timeline.add('stomp', `the server relays STOMP to the broker at ${stompInfo.broker}: room #stomp is shared`);
          startStomp();
        }
        break;
      case 'rooms':
        roomList = msg.rooms;
        break;
      case 'joined':
        for (const m of msg.history) rooms.receive(m);
        if (msg.room === room) view.showAll(rooms.room(room).messages);
        break;
      case 'message': {
        const result = rooms.receive(msg);
        if (result && msg.room === room) view.upsert(result[0], rooms.room(room).messages);
        break;
      }
      case 'presence':
        if (msg.room === chatRoom) members = msg.members;
        break;
      case 'refused':
        // No room could be made for it: say so, fail what was said there, go back to the room
        // the server still has us in.
        if (msg.cid) {
          for (const m of rooms.pending()) if (m.cid === msg.cid) setStatus(m, 'failed');
          note(`Not sent: ${msg.text}`);
        } else {
          timeline.add('server', msg.text, { level: 'warn' });
          note(msg.text);
        }
        if (!msg.cid && msg.room === chatRoom) {
          const back = cleanRoom(msg.current) || 'lobby';
          const onScreen = room === chatRoom;
          chatRoom = back;
          members = [];
          send({ type: 'join', room: back, nick, since: rooms.room(back).lastId });
          if (onScreen) {
            room = back;
            view.showAll(rooms.room(room).messages);
          }
        }
        break;
      case 'pong':
        // Shared, every tab gets every tab's pongs: only this tab's pings count.
        if (pings.delete(msg.t)) sparkline.add(performance.now() - msg.t);
        break;
      case 'control':
        if ('wsBlocked' in msg) wsBlocked = msg.wsBlocked;
        break;
      case 'trace':
        timeline.add('server', msg.text, { level: msg.level, at: msg.at });
        break;
    }
    render();
  }

  // ---- what the person does ----------------------------------------------------------------

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('composer-input');
    const text = input.value.trim();
    if (!text) return;
    const cid = randomId();
    const model = { cid, nick, text, mine: true, status: 'queued' };
    rooms.addOwn(room, model);
    view.upsert(model, rooms.room(room).messages);
    if (room === STOMP_ROOM) {
      model.stomp = true;
      model.payload = { nick, text, cid, ts: Date.now(), via: `STOMP over ${stomp.transport || 'resock'}` };
      publish(model);
      input.value = '';
      return;
    }
    model.payload = { type: 'say', room, nick, text, cid };
    if (send(model.payload, model)) {
      input.value = '';
      note('');
    }
  });

  $('nick').addEventListener('change', () => {
    const value = $('nick').value.trim().slice(0, 24);
    if (!value || value === nick) return ($('nick').value = nick);
    nick = value;
    save('nick', nick);
    timeline.add('you', `nickname: ${nick}`);
    send({ type: 'join', room: chatRoom, nick, since: rooms.room(chatRoom).lastId });
  });

  function joinRoom(name) {
    const clean = name === STOMP_ROOM ? name : cleanRoom(name);
    if (!clean || clean === room) return;
    room = clean;
    view.showAll(rooms.room(room).messages);
    if (room !== STOMP_ROOM && room !== chatRoom) {
      chatRoom = room;
      members = [];
      send({ type: 'join', room, nick, since: rooms.room(room).lastId });
    }
    render();
  }
  $('new-room').addEventListener('submit', (event) => {
    event.preventDefault();
    joinRoom($('new-room-name').value);
    $('new-room-name').value = '';
    $('composer-input').focus();
  });

  $('transport-picker').addEventListener('change', () => {
    picked = $('transport-picker').value;
    const next = new URL(location.href);
    if (picked === 'auto') next.searchParams.delete('transport');
    else next.searchParams.set('transport', picked);
    history.replaceState(null, '', next);
    timeline.add('you', `picked ${picked === 'auto' ? 'auto' : `${picked} only`}`);
    restart();
  });
  $('restart').addEventListener('click', () => {
    timeline.add('you', 'started a new client');
    restart();
  });

  $('shared-switch').checked = sharing;
  $('shared-switch').disabled = !shared;
  $('shared-switch').addEventListener('change', () => {
    const next = new URL(location.href);
    if ($('shared-switch').checked) next.searchParams.set('shared', '1');
    else next.searchParams.delete('shared');
    location.assign(next);
  });

  $('drop').addEventListener('click', () => {
    timeline.add('you', 'asked the server to cut your link');
    control('drop');
  });
  $('block-ws').addEventListener('click', () => {
    wsBlocked = !wsBlocked;
    timeline.add('you', wsBlocked ? 'asked the server to refuse your WebSocket upgrades' : 'allowed WebSocket again');
    if (!wsBlocked) {
      timeline.add('note', 'resock keeps trying WebSocket last on this URL for 10 min after it failed; pick “websocket only” once to clear that');
    }
    control(wsBlocked ? 'block-websocket' : 'allow-websocket');
  });
  $('kill-node').addEventListener('click', () => {
    timeline.add('you', `asked node ${node} to die (SIGKILL): the launcher restarts it in a few seconds`);
    control('kill-node');
  });
  $('offline').addEventListener('click', () => {
    offlineUntil = performance.now() + 5000;
    timeline.add('you', 'asked the server to cut all your requests for 5 s');
    control('offline');
  });

  // ---- the view ---------------------------------------------------------------------------

  let lastAnnounced = '';
  function announce(state) {
    const text = {
      open: `Connected${client && client.transport ? ` via ${client.transport}` : ''}.`,
      reconnecting: 'Connection lost. Reconnecting; messages you send will wait.',
      closed: 'Connection closed.',
    }[state];
    if (!text || text === lastAnnounced) return;
    lastAnnounced = text;
    $('announcer').textContent = text;
  }

  function note(text) {
    $('composer-note').textContent = text;
  }

  function setStatus(model, status) {
    model.status = status;
    if (model.nick && rooms.room(room).messages.includes(model)) view.upsert(model, rooms.room(room).messages);
  }

  function badge() {
    const state = client ? client.state : 'connecting';
    if (state === 'reconnecting') {
      return ['reconnecting', `reconnecting in ${seconds(Math.max(0, retryAt - performance.now()))}`];
    }
    if (state === 'connecting') return ['connecting', attempt ? `reconnecting… attempt ${attempt}` : 'connecting…'];
    if (state === 'closing') return ['closed', 'closing…'];
    return [state, state];
  }

  function render() {
    if (!client) return;
    const [kind, text] = badge();
    const open = client.readyState === Resock.OPEN;
    const offlineLeft = offlineUntil - performance.now();
    $('badge').dataset.state = kind;
    setText('badge-text', text);
    setText('badge-transport', client.transport || '—');
    setText('fact-state', client.state);
    setText('fact-ready', `readyState ${client.readyState}`);
    setText('fact-transport', client.transport || '—');
    // A follower's link is the leading tab's, made with that tab's transports, whatever this one picked.
    const follower = sharing && client.sharing === 'follower';
    setText('fact-how', follower ? "the leading tab's link" : picked !== 'auto' ? 'forced' : client.transport ? 'picked by resock' : 'auto');
    setText('fact-queued', plural(queuedCount, 'message'));
    setText('fact-buffered', bytes(client.bufferedAmount));
    setText('fact-unconfirmed', String(rooms.pending().length));
    setText('fact-reconnects', String(reconnects));
    $('fact-shared-row').hidden = !sharing;
    if (sharing) {
      setText('fact-shared', `${plural(tabs.links, 'connection')}, ${plural(tabs.count, 'tab')}`);
      setText('fact-role', tabs.describe(client.sharing));
      const title = `${client.sharing === 'leader' ? '★ leads · ' : ''}resock — live chat`;
      if (document.title !== title) document.title = title;
    }
    $('fact-node-row').hidden = !node;
    setText('fact-node', node ? (open ? node : `${node} (lost)`) : '—');
    $('kill-node-row').hidden = !cluster;
    $('kill-node').disabled = !open;
    $('restart').hidden = client.state !== 'closed';

    // The switches act on the live link: while there is none, they wait for it.
    $('drop').disabled = !open;
    $('block-ws').disabled = !open;
    $('block-ws').setAttribute('aria-pressed', String(wsBlocked));
    // WebSocket refused and the only transport picked: resock retries for ever, and this button
    // needs a link to lift the block. Say the way out.
    const wsOnlyBlocked = wsBlocked && picked === 'websocket' && !open;
    setText('block-ws-hint', wsOnlyBlocked ? BLOCKED_WS_ONLY : 'The server refuses your WebSocket upgrades: watch the fallback.');
    $('block-ws-hint').classList.toggle('stuck', wsOnlyBlocked);
    $('offline').disabled = !open || offlineLeft > 0;
    setText('offline', offlineLeft > 0 ? `Offline for ${seconds(offlineLeft)}` : 'Go offline for 5 s');

    setText('room-title', roomLabel(room));
    const linkUp = room === STOMP_ROOM ? !!(stomp && stomp.connected) : open;
    $('composer-input').placeholder = linkUp ? `Message ${roomLabel(room)}` : `Message ${roomLabel(room)} — it will wait for the link`;
    const people = members.map((m) => `${m.nick} (${m.transport})`).join(', ');
    if (room === STOMP_ROOM) {
      const how = stomp && stomp.connected ? `STOMP over ${stomp.transport}` : 'STOMP, connecting';
      setText('members', `${how} → this demo server → ${stompInfo.broker}. Shared by every demo server on that broker.`);
    } else {
      setText('members', members.length ? `${members.length === 1 ? '1 person' : `${members.length} people`} here: ${people}` : '');
    }
    renderRooms();
  }

  function renderRooms() {
    const list = $('rooms');
    const names = new Set(roomList.map((r) => r.name).concat(chatRoom));
    const wanted = [...names].map((name) => {
      const entry = roomList.find((r) => r.name === name);
      return { name, count: entry ? entry.members : 0 };
    });
    if (stompInfo) wanted.push({ name: STOMP_ROOM, count: null });
    const key = JSON.stringify([room, wanted]);
    if (list.dataset.key === key) return;
    const hadFocus = list.contains(document.activeElement) ? document.activeElement.dataset.room : null;
    list.dataset.key = key;
    list.replaceChildren(
      ...wanted.map(({ name, count }) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.room = name;
        button.textContent = roomLabel(name);
        const badge = document.createElement('span');
        badge.className = count === null ? 'count tag' : 'count';
        badge.textContent = count === null ? 'STOMP' : String(count);
        if (count !== null) badge.setAttribute('aria-label', count === 1 ? '1 person' : `${count} people`);
        button.append(' ', badge);
        if (name === room) button.setAttribute('aria-current', 'true');
        button.addEventListener('click', () => joinRoom(name));
        li.append(button);
        return li;
      }),
    );
    if (hadFocus) list.querySelector(`[data-room="${CSS.escape(hadFocus)}"]`)?.focus();
  }

  setInterval(render, 100);
  const pings = new Set(); // this tab's pings not answered yet (a few: a lost one is forgotten)
  setInterval(() => {
    if (client && client.readyState === Resock.OPEN) {
      const t = performance.now();
      pings.add(t);
      if (pings.size > 10) pings.delete(pings.values().next().value);
      send({ type: 'ping', t });
    }
    sparkline.draw();
  }, PING_EVERY_MS);

  const tabs = sharing ? watchTabs(timeline, render, () => client) : null;
  connect();
  // For the demo's test and for curious people with a console open.
  window.demo = {
    get client() {
      return client;
    },
    get sharing() {
      return tabs && { role: client.sharing, name: tabs.name, leader: tabs.leader, tabs: tabs.count, links: tabs.links };
    },
    clientId,
  };
}

/**
 * Shared mode: how many tabs use the link and which leads. resock elects the leader with a Web
 * Lock, so `navigator.locks.query()` shows it all: the lock held (one link) and the tabs waiting
 * for it. Which tab holds it, the leader says on a channel of the demo's own, by a short name.
 */
function watchTabs(timeline, render, currentClient) {
  const name = `tab ${randomId().slice(0, 4)}`;
  const channel = new BroadcastChannel('resock-demo:tabs');
  const tabs = {
    name,
    leader: null,
    count: 1,
    links: 0,
    role(role) {
      if (role === 'leader') {
        tabs.leader = name;
        channel.postMessage({ leader: name });
      }
      timeline.add('tabs', role === 'leader' ? `${name} (this tab) leads: it runs the one link for every tab` : `${name} follows: it uses the leader's link`, { level: role === 'leader' ? 'ok' : 'info' });
      render();
    },
    describe(role) {
      if (role === 'leader') return `${name} (this tab) leads`;
      if (role === 'follower') return `${tabs.leader || 'another tab'} leads; this is ${name}`;
      return 'cannot share here: this tab has its own link';
    },
  };
  channel.onmessage = ({ data }) => {
    if (data.leader && data.leader !== tabs.leader) timeline.add('tabs', `${data.leader} leads: this tab (${name}) uses its link`);
    if (data.leader) tabs.leader = data.leader;
    const client = currentClient();
    if (data.who && client && client.sharing === 'leader') channel.postMessage({ leader: name });
    render();
  };
  channel.postMessage({ who: true });
  const ours = (lock) => lock.name.startsWith('resock ');
  const count = () =>
    navigator.locks.query().then(({ held, pending }) => {
      tabs.links = held.filter(ours).length;
      tabs.count = tabs.links + pending.filter(ours).length;
    });
  void count();
  setInterval(count, 500);
  return tabs;
}
