import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Papa from 'papaparse';
import { csvField, csvRow, spreadsheetSafe } from '../../src/export/index.js';

/** Papa Parse is the parser Bitwarden's importer uses. */
function parse(text: string): string[][] {
  const result = Papa.parse<string[]>(text, { skipEmptyLines: true });
  assert.deepEqual(result.errors, []);
  return result.data;
}

describe('CSV fields', () => {
  it('quotes a field only when a comma, quote, line break or edge space needs it, and doubles quotes', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rlf'), '"cr\rlf"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField(12), '12');
    assert.equal(csvField(null), '');
    assert.equal(csvField(undefined), '');
  });

  it('quotes every present value with quoteAll, leaving null and undefined empty', () => {
    assert.equal(csvRow(['a', null, 3, undefined, ''], { quoteAll: true }), '"a",,"3",,""\r\n');
  });

  it('ends rows with CRLF, and a parser reads tricky values back exactly', () => {
    const values = ['p@ss,w0rd', 'quote " inside', 'multi\r\nline\nvalue', '=SUM(A1:A2)', '  spaces  ', 'ünïcödé 料理', ''];
    const text = csvRow(['id', ...values.map((_, index) => `v${index}`)]) + csvRow(['row', ...values]);
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(parse(text)[1], ['row', ...values]);
  });
});

describe('spreadsheetSafe', () => {
  it('puts an apostrophe before text a spreadsheet would run as a formula, and leaves other text alone', () => {
    for (const risky of ['=HYPERLINK("http://evil.example")', '+1+1', '-2+3', '@SUM(1)', '\tx', '\rx']) assert.equal(spreadsheetSafe(risky), `'${risky}`);
    for (const safe of ['Hello', 'https://example.com/?a=1', '', 'a=b', ' =leading space']) assert.equal(spreadsheetSafe(safe), safe);
  });
});
