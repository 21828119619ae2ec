/**
 * JSON output with numbers written exactly as the real servers write them: Sync timestamps keep
 * their two decimals ("1700000000.20", not 1700000000.2), which JSON.stringify cannot do.
 */

/** A number already formatted as JSON text. */
export class RawNumber {
  constructor(readonly text: string) {}
}

export type JsonOut = string | number | boolean | null | RawNumber | JsonOut[] | { [key: string]: JsonOut | undefined };

/** Serializes like JSON.stringify (undefined object members dropped), writing RawNumber text verbatim. */
export function serializeJson(value: JsonOut): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(serializeJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${serializeJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
