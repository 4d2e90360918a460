/**
 * The one way options are checked, for every option set (`SockJS`, `Resock`, `StompClient`):
 * a table of rules, one per option, and a reader that names the option that is wrong.
 * Options are validated, not copied: an unknown name or a wrong type is a TypeError at
 * construction, never a silent default.
 */
export interface Rule<T> {
  test: (value: never) => boolean;
  /** What the option must be, for the message: "a number ≥ 0". */
  expected: string;
  fallback: T;
}

type Rules = Record<string, Rule<unknown>>;
export type Resolved<R extends Rules> = { [K in keyof R]: R[K] extends Rule<infer T> ? T : never };

export const rule = <T>(test: (value: never) => boolean, expected: string, fallback: T): Rule<T> => ({ test, expected, fallback });

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
export const isFunction = (value: unknown) => typeof value === 'function';
export const isNonNegative = (value: number) => typeof value === 'number' && value >= 0;
export const isFiniteNonNegative = (value: number) => isNonNegative(value) && value < Infinity;

/** Throws a TypeError naming `name` unless `value` is undefined or passes the rule. */
export function checked<T>(name: string, value: unknown, { test, expected, fallback }: Rule<T>): T {
  if (value === undefined) return fallback;
  if (!test(value as never)) throw new TypeError(`Option '${name}' must be ${expected}`);
  return value as T;
}

/**
 * Reads `given` (undefined, or an object) against `rules`: every key must have a rule or be in
 * `tolerated`, every value must pass its rule. `prefix` names nested sets (`reconnect.`).
 */
export function readOptions<R extends Rules>(given: unknown, rules: R, prefix = '', tolerated: readonly string[] = []): Resolved<R> {
  const options = checked<Record<string, unknown>>(prefix ? prefix.slice(0, -1) : 'options', given, rule(isObject, 'an object', {}));
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(rules, key) && tolerated.indexOf(key) === -1) throw new TypeError(`Unknown option '${prefix}${key}'`);
  }
  const result = {} as Record<string, unknown>;
  for (const key in rules) result[key] = checked(prefix + key, options[key], rules[key]!);
  return result as Resolved<R>;
}
