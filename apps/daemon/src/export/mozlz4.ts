/**
 * Mozilla's LZ4 container (`.jsonlz4`, `.mozlz4`): the magic `mozLz40\0`, the decompressed size as
 * a 32-bit little-endian number, then one LZ4 block (not an LZ4 frame). lz4-wasm-nodejs (the
 * WebAssembly build of the lz4_flex crate) writes exactly "size, then block", so the magic is all
 * this adds.
 */
import { compress } from 'lz4-wasm-nodejs';

export const MOZLZ4_MAGIC = Buffer.from('mozLz40\0', 'latin1');

/** LZ4 blocks (and the size field) stop at 2^32 - 1 bytes; LZ4 itself at about 2 GB of input. */
const MAX_INPUT = 0x7e000000;

export function encodeMozLz4(data: Uint8Array): Buffer {
  if (data.length > MAX_INPUT) throw new RangeError(`${data.length} bytes are too many for one LZ4 block`);
  const sizedBlock = Buffer.from(compress(data));
  // The container's layout rests on the library's; a different layout must fail here, not in Firefox.
  if (sizedBlock.length < 5 || sizedBlock.readUInt32LE(0) !== data.length) throw new Error('the LZ4 encoder did not prefix the block with its decompressed size');
  return Buffer.concat([MOZLZ4_MAGIC, sizedBlock]);
}
