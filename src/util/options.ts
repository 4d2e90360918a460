/**
 * The one way options are checked, for every option set (`SockJS`, `Resock`, `StompClient`,
 * `shared()`, `resume()`, `attachResume()`): a table with, per option, the kinds of value it takes
 * and its default, and a reader that names the option that is wrong. Options are validated, not
 * copied: an unknown name or a wrong type is a TypeError at construction, never a silent default.
 * Kinds are letters so tables stay small in the bundle: `'bf'` reads "a boolean or a function".
 */
const KINDS: Record<string, [(value: unknown) => boolean, string]> = {
  b: [(v) => typeof v === 'boolean', 'a boolean'],
  f: [(v) => typeof v === 'function', 'a function'],
  n: [(v) => typeof v === 'number' && v >= 0, 'a number ≥ 0'],
  m: [(v) => typeof v === 'number' && v >= 0 && v < Infinity, 'a finite number of ms ≥ 0'],
  o: [(v) => typeof v === 'object' && v !== null, 'an object'],
  s: [(v) => typeof v === 'string' && !!v, 'a non-empty string'],
  F: [(v) => v === false, 'false'],
  '*': [() => true, ''],
};

/** An option: the kinds it takes and its default. */
export type Rule<T> = [kinds: string, fallback: T];
type Rules = Record<string, Rule<unknown>>;
export type Resolved<R extends Rules> = { [K in keyof R]: R[K] extends Rule<infer T> ? T : never };

/** Throws a TypeError naming `name` unless `value` is undefined or of one of `kinds`. */
export function checked<T>(name: string, value: unknown, [kinds, fallback]: Rule<T>): T {
  if (value === undefined) return fallback;
  const list = kinds.split('').map((kind) => KINDS[kind]!);
  if (!list.some(([test]) => test(value))) throw new TypeError(`Option '${name}' must be ${list.map(([, what]) => what).join(' or ')}`);
  return value as T;
}

/**
 * Throws a TypeError naming the first key of `options` not in `known`. `readOptions` checks with
 * it; a set too small for a table of rules calls it alone (`shared({ key })`: the add-on script
 * would otherwise carry every kind).
 */
export function refuseUnknown(options: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(options)) if (known.indexOf(key) < 0) throw new TypeError(`Unknown option '${prefix}${key}'`);
}

/**
 * Reads `given` (undefined, or an object) against `rules`: every key must have a rule or be in
 * `tolerated`, every value must be of its kinds. `prefix` names nested sets (`reconnect.`).
 */
export function readOptions<R extends Rules>(given: unknown, rules: R, prefix = '', tolerated: readonly string[] = []): Resolved<R> {
  const options = checked<Record<string, unknown>>(prefix.slice(0, -1) || 'options', given, ['o', {}]);
  refuseUnknown(options, Object.keys(rules).concat(tolerated), prefix);
  const result: Record<string, unknown> = {};
  for (const key in rules) result[key] = checked(prefix + key, options[key], rules[key]!);
  return result as Resolved<R>;
}

/** Throws a TypeError unless `valid`: for the few options a kind cannot say (ranges, names). */
export function ensure(valid: boolean, name: string, expected: string): void {
  if (!valid) throw new TypeError(`Option '${name}' must be ${expected}`);
}
