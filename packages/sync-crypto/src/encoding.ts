/** Byte/text encodings used by Firefox Sync. Node has no base32 codec, so RFC 4648 base32 lives here. */

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function fromBase64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

/** URL-safe base64; unpadded unless asked (tokenlib tokens keep their `=`). */
export function toBase64Url(bytes: Uint8Array, padded = false): string {
  const text = Buffer.from(bytes).toString('base64url');
  return padded ? text + '='.repeat((4 - (text.length % 4)) % 4) : text;
}

export function fromBase64Url(text: string): Buffer {
  return Buffer.from(text.replace(/=+$/, ''), 'base64url');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Buffer {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TypeError('not a hex string');
  }
  return Buffer.from(text, 'hex');
}

/** RFC 4648 base32, upper case, without padding. */
export function toBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes unpadded RFC 4648 base32 (any case); trailing partial bits are dropped. */
export function fromBase32(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32_ALPHABET.indexOf(ch);
    if (index < 0) throw new TypeError(`invalid base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | index) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
