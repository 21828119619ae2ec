import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeMozLz4, MOZLZ4_MAGIC } from '../../src/export/index.js';

/**
 * An LZ4 block decoder written from the block format description, independent of the encoder,
 * that also holds the block to the format's end rules (which strict decoders such as Firefox's
 * LZ4_decompress_safe rely on): the last sequence is literals only, the last five bytes are
 * literals, and no match starts in the last twelve bytes.
 */
function decodeLz4Block(block: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let input = 0;
  let output = 0;
  const byte = (): number => {
    assert.ok(input < block.length, 'the block ends in the middle of a sequence');
    return block[input++]!;
  };
  const length = (start: number): number => {
    let total = start;
    if (start !== 15) return total;
    for (;;) {
      const next = byte();
      total += next;
      if (next !== 255) return total;
    }
  };
  for (;;) {
    const token = byte();
    const literals = length(token >> 4);
    assert.ok(input + literals <= block.length && output + literals <= size, 'literals run past the end');
    out.set(block.subarray(input, input + literals), output);
    input += literals;
    output += literals;
    if (input === block.length) break;
    const offset = byte() | (byte() << 8);
    assert.ok(offset > 0 && offset <= output, `match offset ${offset} at output ${output} is out of range`);
    const matchLength = length(token & 15) + 4;
    assert.ok(output <= size - 12, `a match starts at ${output}, within the last 12 bytes of ${size}`);
    assert.ok(output + matchLength <= size - 5, 'a match reaches into the last 5 bytes');
    for (let copied = 0; copied < matchLength; copied++, output++) out[output] = out[output - offset]!;
  }
  assert.equal(output, size, 'the block decodes to the size its header announced');
  return out;
}

function decodeMozLz4(file: Uint8Array): Uint8Array {
  assert.deepEqual(Buffer.from(file.subarray(0, 8)), Buffer.from('mozLz40\0', 'latin1'), 'the file starts with the mozLz40 magic');
  const size = Buffer.from(file.buffer, file.byteOffset + 8, 4).readUInt32LE(0);
  return decodeLz4Block(file.subarray(12), size);
}

describe('mozLz4 container', () => {
  it('starts with mozLz40\\0 and the decompressed size, little-endian', () => {
    const data = Buffer.from('{"guid":"root________","children":[]}'.repeat(20));
    const file = encodeMozLz4(data);
    assert.equal(MOZLZ4_MAGIC.toString('latin1'), 'mozLz40\0');
    assert.equal(file.subarray(0, 8).toString('latin1'), 'mozLz40\0');
    assert.equal(file.readUInt32LE(8), data.length);
    assert.ok(file.length < data.length, 'repetitive JSON gets smaller');
  });

  it('round-trips JSON, random bytes, repeated runs, tiny and empty inputs through an independent decoder', () => {
    const bookmarks = JSON.stringify(
      Array.from({ length: 3000 }, (_, index) => ({ guid: `guid${String(index).padStart(8, '0')}`, title: `Bookmark ${index} — ünïcödé`, uri: `https://example.com/${index % 97}/page` })),
    );
    const inputs: Buffer[] = [
      Buffer.from(bookmarks),
      randomBytes(200_000),
      Buffer.alloc(300_000, 0x61),
      Buffer.concat([randomBytes(70_000), Buffer.alloc(70_000, 7), randomBytes(70_000)]),
      Buffer.from('a'),
      Buffer.from('abcdefghijkl'),
      Buffer.from('abcabcabcabcabc'),
      Buffer.alloc(0),
    ];
    for (const input of inputs) {
      const decoded = decodeMozLz4(encodeMozLz4(input));
      assert.ok(Buffer.from(decoded).equals(input), `${input.length} bytes round-trip`);
    }
  });

  it('compresses the Firefox backup of a large tree to a fraction of its size', () => {
    const json = Buffer.from(JSON.stringify({ children: Array.from({ length: 20_000 }, (_, index) => ({ type: 'text/x-moz-place', typeCode: 1, index, uri: `https://site${index % 50}.example/` })) }));
    const file = encodeMozLz4(json);
    assert.ok(file.length * 4 < json.length, `${file.length} of ${json.length} bytes`);
    assert.ok(Buffer.from(decodeMozLz4(file)).equals(json));
  });
});
