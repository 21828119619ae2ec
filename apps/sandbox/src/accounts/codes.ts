import { createHmac, randomBytes, randomInt } from 'node:crypto';

/** RFC 6238 as authenticator apps and FxA use it: HMAC-SHA1, 6 digits, 30-second steps. */
const STEP_SECONDS = 30;
const DIGITS = 6;
/** Codes from the neighbouring steps are accepted too, to absorb clock drift between phone and server. */
const ACCEPTED_STEP_DRIFT = 1;

export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** RFC 4226 HOTP with dynamic truncation. */
function hotp(secret: Uint8Array, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', secret).update(message).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

export function totpCode(secret: Uint8Array, nowMs: number): string {
  return hotp(secret, Math.floor(nowMs / 1000 / STEP_SECONDS));
}

export function totpCodeIsValid(secret: Uint8Array, code: string, nowMs: number): boolean {
  const step = Math.floor(nowMs / 1000 / STEP_SECONDS);
  for (let drift = -ACCEPTED_STEP_DRIFT; drift <= ACCEPTED_STEP_DRIFT; drift++) {
    if (hotp(secret, step + drift) === code) return true;
  }
  return false;
}

/** A mailed sign-in confirmation code (email-otp): six decimal digits. */
export function newEmailOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A mailed unblock code: 8 characters of base 36, upper case as FxA mails them. */
export function newUnblockCode(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: 8 }, () => alphabet[randomInt(0, alphabet.length)]).join('');
}
