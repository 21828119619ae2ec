/** A record that could not be turned into cleartext; names the record so it can be skipped and reported. */
export class RecordDecryptError extends Error {
  override readonly name: string = 'RecordDecryptError';
  constructor(
    readonly collection: string,
    readonly id: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${collection}/${id}: ${problem}`, options);
  }
}

/** The HMAC does not match (checked before decrypting): wrong keys, or the record was altered. */
export class RecordHmacError extends RecordDecryptError {
  override readonly name: string = 'RecordHmacError';
  constructor(collection: string, id: string, options?: { cause?: unknown }) {
    super(collection, id, 'HMAC mismatch (wrong key, or the record was altered)', options);
  }
}

/** Not an encrypted envelope, bad IV or padding, or cleartext that is not a JSON object. */
export class MalformedRecordError extends RecordDecryptError {
  override readonly name: string = 'MalformedRecordError';
}

/** The cleartext's `id` differs from the BSO id: clients treat the record as malformed. */
export class RecordIdMismatchError extends RecordDecryptError {
  override readonly name: string = 'RecordIdMismatchError';
  constructor(
    collection: string,
    id: string,
    readonly cleartextId: unknown,
  ) {
    super(collection, id, `cleartext id ${JSON.stringify(cleartextId)} differs from the record id`);
  }
}
