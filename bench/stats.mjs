// Small statistics for noisy samples: medians with their range, and ratios paired in time.

export function median(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

/** `{ median, min, max, n }` of the finite values, or null when there are none. */
export function summarize(values) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return null;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/**
 * Ratios paired in time: `a.get(k) / b.get(k)` for every key `k` (a round of a scenario) where
 * both were measured, then summarized. On a noisy machine this is steadier than a ratio of two
 * medians, since both sides of one pair saw the same moment of the machine.
 */
export function pairedRatio(a, b) {
  const ratios = [];
  for (const [key, value] of a) {
    const other = b.get(key);
    if (Number.isFinite(value) && Number.isFinite(other) && other > 0) ratios.push(value / other);
  }
  return summarize(ratios);
}

/** A figure with 3 significant digits at most, as a table wants it. */
export function fmt(value, unit = '') {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return `0${unit}`;
  const abs = Math.abs(value);
  let text;
  if (abs >= 10000) text = `${Math.round(value / 1000)}k`;
  else if (abs >= 1000) text = `${(value / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  else if (abs >= 100) text = String(Math.round(value));
  else if (abs >= 10) text = value.toFixed(1);
  else text = value.toFixed(2);
  return text + unit;
}

/** `median (min–max)`, or `median` alone when there is a single value. */
export function fmtSummary(summary, unit = '') {
  if (!summary) return '–';
  if (summary.n === 1 || summary.min === summary.max) return fmt(summary.median, unit);
  return `${fmt(summary.median, unit)} (${fmt(summary.min)}–${fmt(summary.max)})`;
}

/** A ratio as `0.42×`, with its range. */
export function fmtRatio(summary) {
  if (!summary) return '–';
  const r = (v) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (summary.n === 1 || summary.min === summary.max) return `${r(summary.median)}×`;
  return `${r(summary.median)}× (${r(summary.min)}–${r(summary.max)})`;
}
