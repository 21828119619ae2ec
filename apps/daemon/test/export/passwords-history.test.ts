import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Papa from 'papaparse';
import {
  BITWARDEN_COLUMNS,
  bitwardenHeader,
  bitwardenRow,
  exportedPage,
  FIREFOX_LOGINS_COLUMNS,
  firefoxLoginRow,
  firefoxLoginsHeader,
  historyCsvHeader,
  historyCsvRows,
  loginName,
  visitDate,
} from '../../src/export/index.js';
import type { PasswordRecord } from '../../src/sync/records/index.js';

function parse(text: string): string[][] {
  const result = Papa.parse<string[]>(text, { skipEmptyLines: true });
  assert.deepEqual(result.errors, []);
  return result.data;
}

const formLogin: PasswordRecord = {
  id: '{5ee0a2c4-7b6d-4c1e-9a57-2f4f0a1b3c4d}',
  hostname: 'https://accounts.example.com',
  formSubmitURL: 'https://accounts.example.com',
  httpRealm: null,
  username: 'ann@example.com',
  password: '=cmd|"/c calc"!A1, "quoted"\nand a new line',
  timeCreated: 1_600_000_000_000,
  timeLastUsed: 1_700_000_000_000,
  timePasswordChanged: 1_650_000_000_000,
};

const httpLogin: PasswordRecord = { id: 'aBcDeFgHiJkL', hostname: 'http://fritz.box', formSubmitURL: null, httpRealm: 'FRITZ!Box', username: 'admin', password: 'p,w' };

describe("Firefox's about:logins CSV", () => {
  it('has the export columns, every present value quoted, an absent realm or form origin empty', () => {
    assert.equal(firefoxLoginsHeader(), '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\r\n');
    assert.equal(firefoxLoginRow(httpLogin), '"http://fritz.box","admin","p,w","FRITZ!Box",,"aBcDeFgHiJkL",,,\r\n');
  });

  it('reads back to the exact values, a formula-like password included', () => {
    const [header, row] = parse(firefoxLoginsHeader() + firefoxLoginRow(formLogin));
    assert.deepEqual(header, [...FIREFOX_LOGINS_COLUMNS]);
    assert.deepEqual(row, [
      formLogin.hostname,
      formLogin.username,
      formLogin.password,
      '',
      formLogin.formSubmitURL,
      formLogin.id,
      '1600000000000',
      '1700000000000',
      '1650000000000',
    ]);
  });
});

describe("Bitwarden's CSV import", () => {
  it('has the login columns and names each login after its site', () => {
    assert.equal(bitwardenHeader(), `${BITWARDEN_COLUMNS.join(',')}\r\n`);
    const rows = parse(bitwardenHeader() + bitwardenRow(formLogin) + bitwardenRow(httpLogin));
    const [header, form, http] = rows.map((row) => Object.fromEntries(rows[0]!.map((column, index) => [column, row[index]])));
    assert.ok(header !== undefined && form !== undefined && http !== undefined);
    assert.deepEqual(form, {
      folder: '',
      favorite: '',
      type: 'login',
      name: 'accounts.example.com',
      notes: '',
      fields: '',
      reprompt: '0',
      login_uri: formLogin.hostname,
      login_username: formLogin.username,
      login_password: formLogin.password,
      login_totp: '',
    });
    assert.equal(http['notes'], 'HTTP authentication realm: FRITZ!Box', 'Bitwarden has no realm field: the notes keep it');
    assert.equal(http['login_password'], 'p,w');
  });

  it('falls back to the stored hostname when it is no URL', () => {
    assert.equal(loginName('fritz.box'), 'fritz.box');
    assert.equal(loginName('https://nas.home.arpa:5001'), 'nas.home.arpa:5001');
    assert.equal(loginName(undefined), '');
  });
});

describe('history export', () => {
  const record = {
    id: 'histRecord01',
    histUri: 'https://example.com/a?b=c',
    title: '=HYPERLINK("https://evil.example","click")',
    visits: [
      { date: 1_700_000_000_000_000, type: 1 },
      { date: 1_700_000_100_123_456, type: 2 },
      { date: 1_699_000_000_000_000, type: 6 },
    ],
  };

  it('lists visits newest first with ISO dates and named transitions', () => {
    assert.deepEqual(exportedPage(record).visits, [
      { date: '2023-11-14T22:15:00.123Z', type: 'typed', transition: 2 },
      { date: '2023-11-14T22:13:20.000Z', type: 'link', transition: 1 },
      { date: '2023-11-03T08:26:40.000Z', type: 'redirect-temporary', transition: 6 },
    ]);
    assert.equal(visitDate(Number.MAX_VALUE), null);
  });

  it('writes one CSV row per visit, a page without visits as one row, and titles spreadsheets would run as formulas made safe', () => {
    const rows = parse(historyCsvHeader() + historyCsvRows(exportedPage(record)) + historyCsvRows(exportedPage({ id: 'noVisits0001', histUri: 'https://quiet.example/', title: null, visits: [] })));
    assert.deepEqual(rows[0], ['url', 'title', 'visit_date', 'visit_type', 'transition', 'id']);
    assert.equal(rows.length, 1 + 3 + 1);
    assert.deepEqual(rows[1], ['https://example.com/a?b=c', `'${record.title}`, '2023-11-14T22:15:00.123Z', 'typed', '2', 'histRecord01']);
    assert.deepEqual(rows[4], ['https://quiet.example/', '', '', '', '', 'noVisits0001']);
  });
});
