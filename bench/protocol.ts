/**
 * Download throughput of the storage 1.5 client over a seeded 50k-record collection, against a
 * baseline that fetches the same pages with bare fetch (Hawk header, no parsing), one run.
 */
import { FxaTokenSource, hawkAuthorization, Storage15Client, TokenserverClient, type SyncNodeToken } from '@syncvault/daemon/sync';
import { benchAccount } from './support/sandbox-account.js';
import { formatRate, median, timed } from './support/stats.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 50_000);
const PAGE = 1000;
const ROUNDS = 5;

async function baselineDownload(token: SyncNodeToken): Promise<number> {
  let offset: string | null = null;
  let count = 0;
  do {
    const url = `${token.apiEndpoint}/storage/history?full=1&sort=oldest&limit=${PAGE}${offset === null ? '' : `&offset=${encodeURIComponent(offset)}`}`;
    const authorization = hawkAuthorization({ method: 'GET', url, credentials: { id: token.id, key: token.key } });
    const response = await fetch(url, { headers: { authorization, accept: 'application/json' } });
    await response.text();
    count += Number(response.headers.get('x-weave-records') ?? 0);
    offset = response.headers.get('x-weave-next-offset');
  } while (offset !== null);
  return count;
}

async function clientDownload(client: Storage15Client): Promise<number> {
  let count = 0;
  for await (const page of client.readRecords('history', { sort: 'oldest', limit: PAGE })) count += page.length;
  return count;
}

const { sandbox, credentials } = await benchAccount({ history: RECORDS });
try {
  const tokenSource = new FxaTokenSource({
    tokenserver: new TokenserverClient({ url: sandbox.urls.tokenServer }),
    accessToken: async () => credentials.accessToken,
    kB: credentials.kB,
    keysChangedAt: credentials.keysChangedAt,
  });
  const client = new Storage15Client({ tokenSource });
  const token = await tokenSource.getToken();
  const clientTimes: number[] = [];
  const baselineTimes: number[] = [];
  await clientDownload(client);
  for (let round = 0; round < ROUNDS; round++) {
    const base = await timed(() => baselineDownload(token));
    const ours = await timed(() => clientDownload(client));
    if (base.result !== RECORDS || ours.result !== RECORDS) throw new Error(`expected ${RECORDS} records, got ${base.result} / ${ours.result}`);
    baselineTimes.push(base.ms);
    clientTimes.push(ours.ms);
  }
  const baselineMs = median(baselineTimes);
  const clientMs = median(clientTimes);
  console.log(`bench/protocol: download of ${RECORDS.toLocaleString('en-US')} history records, pages of ${PAGE}, median of ${ROUNDS} rounds`);
  console.log(`  baseline (bare fetch, no parsing)  ${baselineMs.toFixed(0)} ms  ${formatRate(RECORDS, baselineMs)}`);
  console.log(`  storage15 client                   ${clientMs.toFixed(0)} ms  ${formatRate(RECORDS, clientMs)}`);
  console.log(`  client / baseline throughput       ${(baselineMs / clientMs).toFixed(2)}`);
} finally {
  await sandbox.close();
}
