import { ControlInputError, type AdjustableSettings } from './control.js';

/** Flat settings whose every field may be patched with a value of the same type; numbers are non-negative integers. */
export function flatSettings<T extends object>(initial: T, allowed: (name: string, value: unknown) => boolean = () => true): AdjustableSettings<T> {
  let current = { ...initial };
  return {
    current: () => current,
    merge(patch) {
      current = { ...current, ...checkedPatch(current, patch, allowed) };
      return current;
    },
  };
}

/** Settings made of named groups of flat settings, patched group by group (e.g. {storage15: {...}}). */
export function groupedSettings<T extends Record<string, object>>(
  initial: T,
  allowed: (name: string, value: unknown) => boolean = () => true,
): AdjustableSettings<T> {
  let current = { ...initial };
  return {
    current: () => current,
    merge(patch) {
      const next: Record<string, object> = { ...current };
      for (const [group, groupPatch] of Object.entries(patch)) {
        const groupCurrent = current[group];
        if (!groupCurrent) throw new ControlInputError(`unknown settings group ${group}`);
        if (typeof groupPatch !== 'object' || groupPatch === null || Array.isArray(groupPatch)) {
          throw new ControlInputError(`${group} must be an object`);
        }
        next[group] = { ...groupCurrent, ...checkedPatch(groupCurrent, groupPatch as Record<string, unknown>, allowed) };
      }
      current = next as T;
      return current;
    },
  };
}

function checkedPatch<T extends object>(
  template: T,
  patch: Record<string, unknown>,
  allowed: (name: string, value: unknown) => boolean,
): Partial<T> {
  for (const [name, value] of Object.entries(patch)) {
    if (!(name in template)) throw new ControlInputError(`unknown setting ${name}`);
    const expected = typeof (template as Record<string, unknown>)[name];
    const sameType = typeof value === expected && (expected !== 'number' || (Number.isInteger(value) && (value as number) >= 0));
    if (!sameType || !allowed(name, value)) throw new ControlInputError(`${name} cannot be ${JSON.stringify(value)}`);
  }
  return patch as Partial<T>;
}
