/**
 * A tiny, tolerant field checker for Sync cleartexts. Real-world records are old, hand-edited
 * or written by buggy clients, so checking never throws: it reports a RecordProblem, converts
 * values when the intent is unambiguous (a numeric string where a number belongs), and drops
 * what it cannot use from the typed view. Unknown fields are always kept, and the input object
 * is never mutated.
 *
 * Problem messages name fields and JavaScript types only, never values: cleartexts hold
 * passwords and card numbers, and problems end up in logs and reports.
 */

export type RecordProblemKind =
  /** A field the record needs (or usually has) is absent. */
  | 'missing'
  /** The value has a type that cannot be used; it is left out of the typed view. */
  | 'wrong-type'
  /** The value was converted to the expected type (e.g. the string "1700000000000" to a number). */
  | 'converted'
  /** The value has the right type but is outside what clients produce or accept. */
  | 'invalid-value';

export interface RecordProblem {
  /** Path to the field, e.g. `dateAdded` or `visits[3].date`; empty for the record itself. */
  readonly field: string;
  readonly kind: RecordProblemKind;
  readonly message: string;
}

/** What a check returns for a value it cannot use, after reporting why. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/** `required`: its container is unusable without it. `expected`: reported when absent. `optional`: may be absent. */
type Presence = 'required' | 'expected' | 'optional';

export interface Field<T> {
  readonly presence: Presence;
  /** Returns the value (converted if need be), or INVALID once the reason has been reported. */
  read(value: unknown, path: string, problems: RecordProblem[]): T | Invalid;
}

/** One field checker per property of T, optional properties included. */
export type Shape<T> = { readonly [K in keyof T]-?: Field<T[K]> };

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

function wrongType(path: string, expected: string, value: unknown, problems: RecordProblem[]): Invalid {
  problems.push({ field: path, kind: 'wrong-type', message: `${path || 'record'}: expected ${expected}, got ${describeType(value)}` });
  return INVALID;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field<T>(read: Field<T>['read']): Field<T> {
  return { presence: 'required', read };
}

export function string(): Field<string> {
  return field((value, path, problems) => (typeof value === 'string' ? value : wrongType(path, 'a string', value, problems)));
}

export function boolean(): Field<boolean> {
  return field((value, path, problems) => (typeof value === 'boolean' ? value : wrongType(path, 'a boolean', value, problems)));
}

export function literal<const L extends string | boolean | number>(expected: L): Field<L> {
  return field((value, path, problems) => {
    if (value === expected) return expected;
    if (typeof value === typeof expected) {
      problems.push({ field: path, kind: 'invalid-value', message: `${path}: expected ${JSON.stringify(expected)}` });
      return INVALID;
    }
    return wrongType(path, JSON.stringify(expected), value, problems);
  });
}

const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/** Finite numbers; numeric strings (old clients stringified timestamps) are converted and reported. */
export function number(): Field<number> {
  return field((value, path, problems) => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && NUMERIC_TEXT.test(value)) {
      problems.push({ field: path, kind: 'converted', message: `${path}: a number was stored as a string` });
      return Number(value);
    }
    return wrongType(path, 'a number', value, problems);
  });
}

/** Integers (timestamps, counters); fractions are truncated and reported, numeric strings converted. */
export function integer(): Field<number> {
  const asNumber = number();
  return field((value, path, problems) => {
    const read = asNumber.read(value, path, problems);
    if (read === INVALID || Number.isInteger(read)) return read;
    problems.push({ field: path, kind: 'converted', message: `${path}: expected an integer, the fraction was dropped` });
    return Math.trunc(read);
  });
}

/** Any JSON value except absence: for fields whose content belongs to someone else (pref values, command args). */
export function anyValue(): Field<unknown> {
  return field((value) => value);
}

export function nullable<T>(inner: Field<T>): Field<T | null> {
  return { presence: inner.presence, read: (value, path, problems) => (value === null ? null : inner.read(value, path, problems)) };
}

export function optional<T>(inner: Field<T>): Field<T | undefined> {
  return { presence: 'optional', read: inner.read };
}

export function expected<T>(inner: Field<T>): Field<T | undefined> {
  return { presence: 'expected', read: inner.read };
}

/** Adds a value check on top of a type check; failures are reported and the value is kept. */
export function checked<T>(inner: Field<T>, isValid: (value: T) => boolean, requirement: string): Field<T> {
  return {
    presence: inner.presence,
    read(value, path, problems) {
      const read = inner.read(value, path, problems);
      if (read !== INVALID && !isValid(read)) {
        problems.push({ field: path, kind: 'invalid-value', message: `${path}: ${requirement}` });
      }
      return read;
    },
  };
}

/** Adds a value check on top of a type check; values that fail it are reported and dropped. */
export function narrowed<T, U extends T>(inner: Field<T>, accepts: (value: T) => value is U, requirement: string): Field<U> {
  return {
    presence: inner.presence,
    read(value, path, problems) {
      const read = inner.read(value, path, problems);
      if (read === INVALID || accepts(read)) return read as U | Invalid;
      problems.push({ field: path, kind: 'invalid-value', message: `${path}: ${requirement}` });
      return INVALID;
    },
  };
}

/** Arrays whose unusable elements are reported and left out of the typed view. */
export function arrayOf<T>(element: Field<T>): Field<T[]> {
  return field((value, path, problems) => {
    if (!Array.isArray(value)) return wrongType(path, 'an array', value, problems);
    let kept: T[] | undefined;
    value.forEach((item: unknown, index) => {
      const read = element.read(item, `${path}[${index}]`, problems);
      if (read === INVALID) {
        kept ??= value.slice(0, index) as T[];
      } else if (kept !== undefined || read !== item) {
        kept ??= value.slice(0, index) as T[];
        kept.push(read);
      }
    });
    return kept ?? (value as T[]);
  });
}

/** Objects used as dictionaries (`{prefName: value}`, `{collection: keyPair}`). */
export function mapOf<T>(entry: Field<T>): Field<Record<string, T>> {
  return field((value, path, problems) => {
    if (!isPlainObject(value)) return wrongType(path, 'an object', value, problems);
    let kept: Record<string, T> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const read = entry.read(item, path ? `${path}.${key}` : key, problems);
      if (read === INVALID) {
        kept ??= { ...value } as Record<string, T>;
        delete kept[key];
      } else if (read !== item) {
        kept ??= { ...value } as Record<string, T>;
        kept[key] = read;
      }
    }
    return kept ?? (value as Record<string, T>);
  });
}

/** A nested object with known fields; unknown fields are kept as they are. */
export function object<T>(shape: Shape<T>): Field<T> {
  return field((value, path, problems) => readShape(shape, value, path, problems));
}

/**
 * Checks every field of `shape` in `value`. Returns `value` itself when nothing needed fixing,
 * otherwise a shallow copy with converted values and without unusable ones; INVALID when
 * `value` is no object or a required field is unusable.
 */
export function readShape<T>(shape: Shape<T>, value: unknown, path: string, problems: RecordProblem[]): T | Invalid {
  if (!isPlainObject(value)) return wrongType(path, 'an object', value, problems);
  let copy: Record<string, unknown> | undefined;
  let usable = true;
  for (const key of Object.keys(shape) as Array<keyof T & string>) {
    const fieldPath = path ? `${path}.${key}` : key;
    const check = shape[key] as Field<unknown>;
    const current = value[key];
    if (current === undefined) {
      if (check.presence !== 'optional') {
        problems.push({ field: fieldPath, kind: 'missing', message: `${fieldPath}: missing` });
      }
      if (check.presence === 'required') usable = false;
      continue;
    }
    const read = check.read(current, fieldPath, problems);
    if (read === INVALID) {
      if (check.presence === 'required') usable = false;
      copy ??= { ...value };
      delete copy[key];
    } else if (read !== current) {
      copy ??= { ...value };
      copy[key] = read;
    }
  }
  if (!usable) return INVALID;
  return (copy ?? value) as T;
}
