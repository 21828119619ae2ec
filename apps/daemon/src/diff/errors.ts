/** A diff or find asked for something that cannot be answered as asked (the API answers 400). */
export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}
