// The round-trip sparkline: the last minute of ping/pong samples as inline SVG, with gaps where
// no sample came and a red mark where the link was lost.

const SVG = 'http://www.w3.org/2000/svg';
const WINDOW_MS = 60000;
const GAP_MS = 2500; // samples further apart than this are not joined by a line
const W = 300;
const H = 60;
const TOP = 12; // room for the scale label

const el = (name, attrs = {}) => {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
};

/** The smallest of 1, 2, 5, 10, 20, 50… ms that is at least `value`. */
function niceCeiling(value) {
  let step = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (step * m >= value) return step * m;
    step *= 10;
  }
}

const formatMs = (ms) => (ms < 10 ? ms.toFixed(1) : String(Math.round(ms))) + ' ms';

export class Sparkline {
  constructor(svg, nowLabel, statsLabel) {
    this.svg = svg;
    this.nowLabel = nowLabel;
    this.statsLabel = statsLabel;
    this.samples = []; // { at, rtt }
    this.outages = []; // at
  }

  add(rtt, at = Date.now()) {
    this.samples.push({ at, rtt });
    this.nowLabel.textContent = formatMs(rtt);
    this.draw(at);
  }

  markOutage(at = Date.now()) {
    this.outages.push(at);
    this.nowLabel.textContent = '—';
    this.draw(at);
  }

  draw(now = Date.now()) {
    const since = now - WINDOW_MS;
    this.samples = this.samples.filter((s) => s.at >= since);
    this.outages = this.outages.filter((at) => at >= since);
    const values = this.samples.map((s) => s.rtt);
    const top = niceCeiling(Math.max(2, ...values) * 1.1);
    const x = (at) => ((at - since) / WINDOW_MS) * W;
    const y = (rtt) => H - 2 - (rtt / top) * (H - TOP - 2);

    let line = '';
    let area = '';
    let previous = null;
    let runStart = null;
    const closeArea = () => {
      if (previous && runStart !== null) area += `L${x(previous.at).toFixed(1)},${H} L${runStart.toFixed(1)},${H} Z `;
    };
    for (const s of this.samples) {
      const px = x(s.at).toFixed(1);
      const py = y(s.rtt).toFixed(1);
      if (!previous || s.at - previous.at > GAP_MS) {
        closeArea();
        line += `M${px},${py} `;
        area += `M${px},${H} L${px},${py} `;
        runStart = Number(px);
      } else {
        line += `L${px},${py} `;
        area += `L${px},${py} `;
      }
      previous = s;
    }
    closeArea();

    const nodes = [
      el('line', { x1: 0, y1: y(top / 2), x2: W, y2: y(top / 2), class: 'grid' }),
      el('text', { x: 2, y: 10, class: 'scale' }),
      el('path', { d: area || 'M0,0', class: 'area' }),
      el('path', { d: line || 'M0,0', class: 'line' }),
      ...this.outages.map((at) => el('line', { x1: x(at), y1: TOP - 4, x2: x(at), y2: H, class: 'outage' })),
    ];
    nodes[1].textContent = `${top} ms`;
    if (previous) nodes.push(el('circle', { cx: x(previous.at), cy: y(previous.rtt), r: 2.5, class: 'last' }));
    this.svg.replaceChildren(...nodes);

    if (values.length) {
      const sorted = values.slice().sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      const outages = this.outages.length;
      this.statsLabel.textContent =
        `Last minute: median ${formatMs(median)}, max ${formatMs(sorted[sorted.length - 1])}` +
        (outages ? `, ${outages} outage${outages === 1 ? '' : 's'} (red marks).` : '.');
    }
  }
}
