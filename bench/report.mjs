// Turns the samples of a run into a summary, the targets of issue 7, a markdown report and an
// SVG chart (hand-written: no dependency).
import { fmt, fmtRatio, fmtSummary, pairedRatio, summarize } from './stats.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const HTTP_TRANSPORTS = TRANSPORTS.slice(1);
const CLIENT_NAMES = { ws: 'bare WebSocket', sockjs: 'sockjs-client 1.6.1', resock: 'resock' };

/**
 * Each metric: which scenarios carry it and how to read it from a sample. A sample is keyed by
 * `scenario:round`, which is what pairs two clients' figures in time.
 */
const METRICS = {
  open: { label: 'open, first in the page', unit: 'ms', scenarios: ['open', 'session'], read: (s) => s.openMs },
  warmOpen: { label: 'open, second in the page', unit: 'ms', scenarios: ['open'], read: (s) => s.warmOpenMs },
  rttMedian: { label: 'round trip, median', unit: 'ms', scenarios: ['session'], read: (s) => s.rtt?.median },
  rttP95: { label: 'round trip, p95', unit: 'ms', scenarios: ['session'], read: (s) => s.rtt?.p95 },
  burstRate: {
    label: 'burst rate',
    unit: 'msg/s',
    higherIsBetter: true,
    scenarios: ['session'],
    read: (s) => (burstOk(s) ? s.burst.rate : NaN),
  },
  big: { label: '1 MiB echo', unit: 'ms', scenarios: ['session'], read: (s) => s.big?.median },
  reconnectNoticed: { label: 'restart: loss noticed', unit: 'ms', scenarios: ['reconnect'], read: (s) => s.noticedMs },
  reconnect: { label: 'restart: open again', unit: 'ms', scenarios: ['reconnect'], read: (s) => s.reopenMs },
};

const burstOk = (s) => !!s.burst && s.burst.received === s.burst.count && s.burst.outOfOrder === 0;
const usable = (s) => !s.error && (s.used === undefined || s.client === 'ws' || s.used === s.transport);

function series(samples, client, transport, metric) {
  const { scenarios, read } = METRICS[metric];
  const map = new Map();
  for (const s of samples) {
    if (s.client !== client || s.transport !== transport || !scenarios.includes(s.scenario) || !usable(s)) continue;
    const value = read(s);
    if (Number.isFinite(value)) map.set(`${s.scenario}:${s.round}`, value);
  }
  return map;
}

export function buildReport(meta, samples) {
  const summary = {};
  for (const transport of TRANSPORTS) {
    const bySeries = {};
    const entry = (summary[transport] = { clients: {}, ratios: {}, checks: {} });
    for (const client of ['ws', 'sockjs', 'resock']) {
      if (client === 'ws' && transport !== 'websocket') continue;
      entry.clients[client] = {};
      for (const metric of Object.keys(METRICS)) {
        const map = series(samples, client, transport, metric);
        bySeries[`${client}:${metric}`] = map;
        entry.clients[client][metric] = summarize([...map.values()]);
      }
      entry.checks[client] = checks(samples, client, transport);
    }
    for (const metric of Object.keys(METRICS)) {
      const resock = bySeries[`resock:${metric}`];
      const bare = series(samples, 'ws', 'websocket', metric);
      entry.ratios[metric] = {
        resockVsSockjs: pairedRatio(resock, bySeries[`sockjs:${metric}`]),
        resockVsBare: pairedRatio(resock, bare),
        sockjsVsBare: pairedRatio(bySeries[`sockjs:${metric}`], bare),
      };
    }
  }
  summary.fallback = fallbackSummary(samples);
  const targets = evaluateTargets(summary);
  return { summary, targets, markdown: markdown(meta, summary, targets, samples), svg: svg(meta, summary) };
}

/** Burst count/order and requests left after close, over every run of one client and transport. */
function checks(samples, client, transport) {
  const mine = samples.filter((s) => s.client === client && s.transport === transport);
  const bursts = mine.filter((s) => s.scenario === 'session' && !s.error);
  const pendingRuns = mine.filter((s) => (s.scenario === 'open' || s.scenario === 'session') && Array.isArray(s.pending));
  const leaky = pendingRuns.filter((s) => s.pending.length > 0);
  return {
    bursts: bursts.length,
    burstsOk: bursts.filter(burstOk).length,
    burstProblems: bursts.filter((s) => !burstOk(s)).map((s) => s.burst?.error || `${s.burst?.received}/${s.burst?.count} received, ${s.burst?.outOfOrder} out of order`),
    pendingRuns: pendingRuns.length,
    leakyRuns: leaky.length,
    maxPending: Math.max(0, ...pendingRuns.map((s) => s.pending.length)),
    pendingExamples: [...new Set(leaky.flatMap((s) => s.pending.map((url) => url.replace(/\/\d{3}\/[a-z0-9]+\//, '/<server>/<session>/').replace(/\?.*$/, ''))))].slice(0, 4),
  };
}

function fallbackSummary(samples) {
  const out = {};
  for (const client of ['sockjs', 'resock']) {
    const runs = samples.filter((s) => s.scenario === 'fallback' && s.client === client && !s.error);
    const pick = (which) => runs.map((s) => s[which]).filter((r) => r && !r.error);
    const used = (which) => count(pick(which).map((r) => r.transport));
    out[client] = {
      first: summarize(pick('first').map((r) => r.ms)),
      remembered: summarize(pick('remembered').map((r) => r.ms)),
      firstTransports: used('first'),
      rememberedTransports: used('remembered'),
      leakyRuns: runs.filter((s) => s.pending?.length).length,
      runs: runs.length,
      errors: samples.filter((s) => s.scenario === 'fallback' && s.client === client && s.error).length +
        runs.flatMap((s) => [s.first, s.remembered]).filter((r) => r?.error).length,
    };
  }
  return out;
}

const count = (list) => list.reduce((acc, item) => ({ ...acc, [item]: (acc[item] || 0) + 1 }), {});

function evaluateTargets(summary) {
  const ratio = (transport, metric, key) => summary[transport].ratios[metric][key];
  const targets = [];
  const add = (what, figure, value, ok, limitText) => targets.push({ what, figure, value, limit: limitText, met: value == null || !Number.isFinite(value) ? null : ok(value) });
  const atMost = (limit) => (v) => v <= limit;
  const atLeast = (limit) => (v) => v >= limit;

  const ws = (metric, op, limit, what) => {
    const r = ratio('websocket', metric, 'resockVsBare');
    add(what, fmtRatio(r) + ' bare WS', r?.median, op(limit), `${op === atMost ? '≤' : '≥'} ${limit}×`);
  };
  ws('open', atMost, 1.3, 'websocket open ≤ 1.3× bare WebSocket (first connection of a page)');
  ws('warmOpen', atMost, 1.3, 'websocket open ≤ 1.3× bare WebSocket (second connection of a page)');
  ws('burstRate', atLeast, 0.95, 'websocket burst rate ≥ 0.95× bare WebSocket');
  ws('big', atMost, 1.3, 'websocket 1 MiB echo ≤ 1.3× bare WebSocket');
  for (const transport of HTTP_TRANSPORTS) {
    const limit = transport === 'jsonp-polling' ? 0.5 : 0.2;
    const r = ratio(transport, 'rttMedian', 'resockVsSockjs');
    add(`${transport} round trip ≤ ${limit}× sockjs-client`, `${fmtRatio(r)} (${fmt(summary[transport].clients.resock.rttMedian?.median)} vs ${fmt(summary[transport].clients.sockjs.rttMedian?.median)} ms)`, r?.median, atMost(limit), `≤ ${limit}×`);
  }
  for (const transport of HTTP_TRANSPORTS) {
    const r = ratio(transport, 'burstRate', 'resockVsSockjs');
    add(`${transport} burst rate ≥ 1.0× sockjs-client`, `${fmtRatio(r)} (${fmt(summary[transport].clients.resock.burstRate?.median)} vs ${fmt(summary[transport].clients.sockjs.burstRate?.median)} msg/s)`, r?.median, atLeast(1), '≥ 1.0×');
  }
  {
    const r = ratio('eventsource', 'big', 'resockVsBare');
    add('eventsource 1 MiB echo ≤ 3× bare WebSocket', `${fmtRatio(r)} bare WS`, r?.median, atMost(3), '≤ 3×');
  }
  const fb = summary.fallback.resock;
  add('fallback through a black-holed WebSocket, first ≤ 300 ms', `${fmtSummary(fb.first, ' ms')} → ${Object.keys(fb.firstTransports).join(', ') || '–'}`, fb.first?.median, atMost(300), '≤ 300 ms');
  add('fallback, remembered ≤ 50 ms', `${fmtSummary(fb.remembered, ' ms')} → ${Object.keys(fb.rememberedTransports).join(', ') || '–'}`, fb.remembered?.median, atMost(50), '≤ 50 ms');
  for (const transport of TRANSPORTS) {
    const c = summary[transport].checks.resock;
    const text = c.leakyRuns ? `${c.leakyRuns} of ${c.pendingRuns} runs left requests (max ${c.maxPending}: ${c.pendingExamples.join(', ')})` : `0 in ${c.pendingRuns} runs`;
    add(`${transport}: 0 requests pending 1 s after close()`, text, c.pendingRuns ? c.maxPending : NaN, (v) => v === 0, '0');
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Markdown

function markdown(meta, summary, targets, samples) {
  const m = meta.machine;
  const lines = [];
  lines.push(`### Benchmark: resock vs sockjs-client 1.6.1 vs bare WebSocket`);
  lines.push('');
  lines.push(`${meta.date.slice(0, 16).replace('T', ' ')} UTC · ${meta.mode} run (${meta.settings.rounds} rounds, ${meta.durationS} s) · commit ${meta.commit}${meta.bundle && meta.bundle !== 'dist/resock.min.js' ? ` · resock bundle: ${meta.bundle}` : ''}  `);
  lines.push(`${m.nproc} × ${m.cpu} · ${m.memGiB} GiB · ${engineLabel(m)} headless · Node ${m.node} · sockjs-node 0.3.24 on 127.0.0.1, page on another origin · nice ${meta.priority ?? '?'} · load average ${meta.loadAverage.before} before, ${(meta.loadAverage.rounds || []).join(' / ') || '?'} at each round's start, ${meta.loadAverage.after} after`);
  lines.push('');
  lines.push('Medians with (min–max) over rounds; ratios are paired in time (each round\'s resock run ÷ the neighbouring run of the other client), median (min–max). ' +
    `Round trip: ${meta.settings.roundTripCount} sequential echoes per run. Burst: ${meta.settings.burstCount} × ${meta.settings.burstSize}-byte messages sent in one task, rate until the last echo, count and order checked. ` +
    `1 MiB echo: ${meta.settings.bigTimes} per run. Open: constructor → \`open\`; first in the page = a fresh browser context (the library's code not compiled yet, fetch and storage cold), second = another connection in the same page after the first closed. Restart: the server is stopped (every connection reset) and listens again at once; ` +
    'resock is its reconnecting `Resock` client with `reconnect.minDelay: 50`; for sockjs-client and the bare WebSocket, the app\'s `onclose` constructs a new socket 50 ms later (again after every failure); times from the stop to the event.');
  lines.push('');
  lines.push('| transport | measure | bare WebSocket | sockjs-client | resock | resock ÷ sockjs-client | resock ÷ bare WS | sockjs-client ÷ bare WS |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
  const bare = summary.websocket.clients.ws;
  for (const transport of TRANSPORTS) {
    const { clients, ratios, checks: c } = summary[transport];
    for (const [metric, def] of Object.entries(METRICS)) {
      const label = def.unit === 'ms' ? `${def.label} (ms)` : `${def.label} (${def.unit})`;
      if (!bare[metric] && !clients.sockjs[metric] && !clients.resock[metric]) continue; // not measured in this run
      lines.push(`| ${transport} | ${label} | ${fmtSummary(bare[metric])} | ${fmtSummary(clients.sockjs[metric])} | ${fmtSummary(clients.resock[metric])} | ${fmtRatio(ratios[metric].resockVsSockjs)} | ${fmtRatio(ratios[metric].resockVsBare)} | ${fmtRatio(ratios[metric].sockjsVsBare)} |`);
    }
    const burstCheck = (k) => (c[k] ? `${c[k].burstsOk}/${c[k].bursts} ok` : '–');
    if (c.resock.bursts) lines.push(`| ${transport} | burst count and order | ${burstCheck('ws') === '–' ? burstCheck0(summary) : burstCheck('ws')} | ${burstCheck('sockjs')} | ${burstCheck('resock')} | | | |`);
    const leak = (k) => (c[k] ? (c[k].leakyRuns ? `**${c[k].leakyRuns}/${c[k].pendingRuns} runs** (max ${c[k].maxPending})` : `0/${c[k].pendingRuns} runs`) : '–');
    if (c.resock.pendingRuns) lines.push(`| ${transport} | requests pending 1 s after close() | ${c.ws ? leak('ws') : leak0(summary)} | ${leak('sockjs')} | ${leak('resock')} | | | |`);
  }
  if (summary.fallback.resock.runs || summary.fallback.sockjs.runs) {
    lines.push('');
    lines.push('Fallback with every transport allowed, through a proxy that accepts the WebSocket upgrade and never answers it: time from the constructor to `open`; "remembered" is the second connection to the same URL in the same page.');
    lines.push('');
    lines.push('| client | first (ms) | transport | remembered (ms) | transport | runs leaving requests |');
    lines.push('|---|---:|---|---:|---|---:|');
    for (const client of ['sockjs', 'resock']) {
      const f = summary.fallback[client];
      const used = (t) => Object.entries(t).map(([name, n]) => `${name} ×${n}`).join(', ') || '–';
      lines.push(`| ${CLIENT_NAMES[client]} | ${fmtSummary(f.first)} | ${used(f.firstTransports)} | ${fmtSummary(f.remembered)} | ${used(f.rememberedTransports)} | ${f.leakyRuns}/${f.runs}${f.errors ? ` (${f.errors} errors)` : ''} |`);
    }
  }
  lines.push('');
  lines.push('| target (issue 7) | measured | |');
  lines.push('|---|---|---|');
  for (const t of targets.filter((t) => t.met != null)) lines.push(`| ${t.what} | ${t.figure} | ${t.met == null ? 'no data' : t.met ? 'met' : '**missed**'} |`);
  lines.push('');
  if (meta.sizes.length) {
    lines.push('| bundle | minified | gzip -9 | sha-256 (first 12) |');
    lines.push('|---|---:|---:|---|');
    for (const s of meta.sizes) lines.push(`| ${s.name} (\`${s.file}\`) | ${s.min.toLocaleString('en')} B | ${s.gzip.toLocaleString('en')} B | ${s.sha256 || ''} |`);
    lines.push('');
  }
  const errors = samples.filter((s) => s.error || s.rtt?.error || s.big?.error || s.burst?.error || (s.used && s.client !== 'ws' && s.used !== s.transport));
  if (errors.length) {
    lines.push('Errors and anomalies:');
    lines.push('');
    for (const s of errors.slice(0, 30)) {
      const what = s.error || s.rtt?.error || s.burst?.error || s.big?.error || `opened with ${s.used}`;
      lines.push(`- round ${s.round + 1} ${s.scenario} ${s.transport} ${CLIENT_NAMES[s.client]}: ${what}`);
    }
    if (errors.length > 30) lines.push(`- … ${errors.length - 30} more in the JSON`);
    lines.push('');
  }
  return lines.join('\n');
}

// The bare WebSocket's checks, repeated on the HTTP rows as the reference.
const burstCheck0 = (summary) => {
  const c = summary.websocket.checks.ws;
  return c ? `${c.burstsOk}/${c.bursts} ok` : '–';
};
const leak0 = (summary) => {
  const c = summary.websocket.checks.ws;
  return c ? (c.leakyRuns ? `${c.leakyRuns}/${c.pendingRuns} runs` : `0/${c.pendingRuns} runs`) : '–';
};

// ---------------------------------------------------------------------------------------------
// SVG: one panel per measure, a group of bars per transport, the bare WebSocket as a dashed line.

const COLORS = { sockjs: '#9a9a9a', resock: '#2b7bb9', ws: '#d9480f' };

function svg(meta, summary) {
  const panels = [
    { metric: 'open', title: 'open (ms, lower is better)' },
    { metric: 'rttMedian', title: 'round trip, median (ms, lower is better)' },
    { metric: 'burstRate', title: 'burst, 5,000 × 64 B (msg/s, higher is better)' },
    { metric: 'big', title: '1 MiB echo (ms, lower is better)' },
    { metric: 'reconnect', title: 'server restart → open again (ms, lower is better)' },
  ];
  const W = 760;
  const panelH = 190;
  const top = 56;
  const left = 64;
  const plotW = W - left - 20;
  const plotH = 120;
  const H = top + panels.length * panelH + 20;
  const out = [];
  const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">resock vs sockjs-client 1.6.1 vs bare WebSocket (medians)</text>`);
  out.push(`<text x="${left}" y="36" fill="#555">${esc(meta.date.slice(0, 16).replace('T', ' '))} UTC · ${meta.machine.nproc} × ${esc(meta.machine.cpu)} · ${esc(engineLabel(meta.machine))} · ${meta.mode} run</text>`);
  let lx = left;
  for (const [client, name] of [['sockjs', 'sockjs-client'], ['resock', 'resock'], ['ws', 'bare WebSocket (dashed line)']]) {
    out.push(`<rect x="${lx}" y="42" width="10" height="10" fill="${COLORS[client]}"/><text x="${lx + 14}" y="51">${name}</text>`);
    lx += 14 + name.length * 6.2 + 16;
  }
  panels.forEach((panel, p) => {
    const y0 = top + p * panelH + 24;
    const values = [];
    for (const t of TRANSPORTS) for (const c of ['sockjs', 'resock']) values.push(summary[t].clients[c][panel.metric]?.median);
    const bare = summary.websocket.clients.ws[panel.metric]?.median;
    const max = Math.max(...values.filter(Number.isFinite), Number.isFinite(bare) ? bare : 0) * 1.15 || 1;
    const y = (v) => y0 + plotH - (v / max) * plotH;
    out.push(`<text x="${left}" y="${y0 - 8}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<line x1="${left}" y1="${y0 + plotH}" x2="${left + plotW}" y2="${y0 + plotH}" stroke="#333"/>`);
    out.push(`<line x1="${left}" y1="${y0}" x2="${left}" y2="${y0 + plotH}" stroke="#333"/>`);
    for (const tick of [0, 0.5, 1]) {
      const v = (max / 1.15) * tick;
      out.push(`<text x="${left - 4}" y="${y(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
      if (tick) out.push(`<line x1="${left}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#eee"/>`);
    }
    const groupW = plotW / TRANSPORTS.length;
    TRANSPORTS.forEach((t, i) => {
      const gx = left + i * groupW;
      const barW = groupW * 0.3;
      ['sockjs', 'resock'].forEach((c, j) => {
        const v = summary[t].clients[c][panel.metric]?.median;
        const x = gx + groupW * 0.18 + j * (barW + 4);
        if (!Number.isFinite(v)) {
          out.push(`<text x="${x + barW / 2}" y="${y0 + plotH - 4}" text-anchor="middle" fill="#999">n/a</text>`);
          return;
        }
        out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y0 + plotH - y(v)).toFixed(1)}" fill="${COLORS[c]}"><title>${esc(`${t} ${c}: ${fmt(v)}`)}</title></rect>`);
        out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle">${fmt(v)}</text>`);
      });
      out.push(`<text x="${(gx + groupW / 2).toFixed(1)}" y="${y0 + plotH + 14}" text-anchor="middle">${t}</text>`);
    });
    if (Number.isFinite(bare)) {
      out.push(`<line x1="${left}" y1="${y(bare).toFixed(1)}" x2="${left + plotW}" y2="${y(bare).toFixed(1)}" stroke="${COLORS.ws}" stroke-dasharray="5 4"/>`);
      out.push(`<text x="${left + plotW}" y="${y0 - 8}" text-anchor="end" fill="${COLORS.ws}">bare WebSocket: ${fmt(bare)} (dashed)</text>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

/** "Chromium 156.0…" or "Firefox 153.8.0": the engine of the run (results from before engines were named are Chromium's). */
function engineLabel(machine) {
  const name = machine.engine === 'firefox' ? 'Firefox' : 'Chromium';
  return `${name} ${machine.chromium.replace(/^.*\//, '')}`;
}
