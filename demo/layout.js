// The page's markup, shared by index.html (IIFE) and esm.html (ES modules). Static: no value of
// the user's or the server's is ever put into it as HTML, only as text, later.

export const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

const VARIANTS = {
  iife: { loaded: '<code>&lt;script src="/dist/resock.min.js"&gt;</code>', other: 'esm.html', otherName: 'ES module variant' },
  esm: { loaded: "<code>import { Resock } from '/dist/esm/index.js'</code>", other: './', otherName: '&lt;script&gt; variant' },
};

export function renderLayout(root, variant) {
  const v = VARIANTS[variant];
  root.innerHTML = `
<a class="skip" href="#composer-input">Skip to the message box</a>
<header class="topbar">
  <div class="brand">
    <svg class="logo" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 12a8 8 0 0 1 14-5.3M20 12a8 8 0 0 1-14 5.3"/><path d="M18 3v4h-4M6 21v-4h4"/></svg>
    <h1>resock <span>live chat</span></h1>
  </div>
  <p class="variant">Loaded with ${v.loaded} · <a href="${v.other}">${v.otherName}</a></p>
  <div class="nick-field">
    <label for="nick">Nickname</label>
    <input id="nick" name="nick" autocomplete="nickname" maxlength="24" spellcheck="false">
  </div>
  <div class="badge" id="badge" data-state="connecting">
    <span class="dot" aria-hidden="true"></span>
    <span id="badge-text">connecting…</span>
    <span class="chip" id="badge-transport">—</span>
  </div>
</header>

<main class="layout">
  <section class="chat" aria-labelledby="room-title">
    <nav class="rooms" aria-label="Rooms">
      <ul id="rooms"></ul>
      <form id="new-room" class="new-room">
        <label for="new-room-name" class="sr-only">Join or create a room</label>
        <input id="new-room-name" placeholder="new room" maxlength="24" autocomplete="off" spellcheck="false">
        <button type="submit">Join</button>
      </form>
    </nav>
    <div class="room-head">
      <h2 id="room-title">#lobby</h2>
      <p id="members" class="members" aria-live="off"></p>
    </div>
    <ol id="messages" class="messages" tabindex="0" role="log" aria-live="polite" aria-relevant="additions" aria-labelledby="room-title"></ol>
    <form id="composer" class="composer">
      <label for="composer-input" class="sr-only">Message</label>
      <input id="composer-input" autocomplete="off" maxlength="2000" placeholder="Message #lobby" enterkeyhint="send">
      <button type="submit">Send</button>
    </form>
    <p id="composer-note" class="note" aria-live="polite"></p>
  </section>

  <aside class="panel" aria-labelledby="panel-title">
    <h2 id="panel-title">Connection</h2>
    <dl class="facts">
      <div><dt>State</dt><dd><span id="fact-state">connecting</span><small id="fact-ready">readyState 0</small></dd></div>
      <div><dt>Transport</dt><dd><span id="fact-transport">—</span><small id="fact-how">auto</small></dd></div>
      <div id="fact-node-row" hidden><dt>Served by</dt><dd><span id="fact-node">—</span><small>cluster node, behind HAProxy</small></dd></div>
      <div><dt>Reconnects</dt><dd><span id="fact-reconnects">0</span><small>so far</small></dd></div>
      <div><dt>Queued in resock</dt><dd><span id="fact-queued">0 messages</span><small><code>bufferedAmount</code> <span id="fact-buffered">0 B</span></small></dd></div>
      <div><dt>Not echoed yet</dt><dd><span id="fact-unconfirmed">0</span><small>of your messages</small></dd></div>
      <div id="fact-shared-row" hidden><dt>Shared between tabs</dt><dd><span id="fact-shared">—</span><small id="fact-role">—</small></dd></div>
    </dl>

    <div class="field switch">
      <input type="checkbox" id="shared-switch">
      <label for="shared-switch">Share one connection between this browser's tabs</label>
      <p class="hint">Open this page in more tabs: one tab leads and runs the link, the others use it. Close the leader: another takes over. Switching reloads the page.</p>
    </div>

    <div class="field">
      <label for="transport-picker">Transport</label>
      <select id="transport-picker">
        <option value="auto">auto — best that works</option>
        ${TRANSPORTS.map((t) => `<option value="${t}">${t} only</option>`).join('')}
      </select>
      <p class="hint">Switching starts a new client; what it had queued moves over.</p>
      <button type="button" id="restart" class="secondary" hidden>Start a new client</button>
    </div>

    <figure class="rtt">
      <figcaption>Round trip <span id="rtt-now" class="rtt-now">—</span></figcaption>
      <svg id="sparkline" viewBox="0 0 300 60" role="img" aria-labelledby="rtt-stats"></svg>
      <p id="rtt-stats" class="hint">A ping every second over the chat link. Red marks: outages.</p>
    </figure>

    <section class="faults" aria-labelledby="faults-title">
      <h3 id="faults-title">Break it</h3>
      <div class="fault">
        <button type="button" id="drop">Drop my connection</button>
        <p class="hint">The server cuts your link, no goodbye. Type while it is down.</p>
      </div>
      <div class="fault">
        <button type="button" id="block-ws" aria-pressed="false">Block WebSocket</button>
        <p class="hint" id="block-ws-hint">The server refuses your WebSocket upgrades: watch the fallback.</p>
      </div>
      <div class="fault">
        <button type="button" id="offline">Go offline for 5 s</button>
        <p class="hint">All your requests are cut for 5 s; messages wait, then arrive.</p>
      </div>
      <div class="fault" id="kill-node-row" hidden>
        <button type="button" id="kill-node">Kill this node</button>
        <p class="hint">SIGKILL to the node that serves you: you land on another; the rooms go on through RabbitMQ.</p>
      </div>
    </section>

  </aside>

  <section class="timeline-card" aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline <span class="hint">newest first</span></h2>
    <ol id="timeline" class="timeline" tabindex="0"></ol>
  </section>
</main>
<div id="announcer" class="sr-only" role="status" aria-live="polite"></div>
`;
}
