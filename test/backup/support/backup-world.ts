/**
 * What every backup test needs: a sandbox (with the conformance harness's control API), a fresh
 * migrated database, a vault and key custody, account rows, engines, connections to back up,
 * and ways to look at the store and the server to compare them.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { accountSecretsPurpose } from '@syncvault/daemon/accounts';
import { BackupEngine, SyncTraffic, type BackupEngineOptions, type BackupProgress, type SnapshotSummary } from '@syncvault/daemon/backup';
import { createPrismaClient, SnapshotRepository, type PrismaClient, type StoredRecordVersion } from '@syncvault/daemon/store';
import type { RemoteBso, SyncConnection } from '@syncvault/daemon/sync';
import { KeyCustody, Vault } from '@syncvault/daemon/vault';
import {
  ConformanceSandbox,
  connectFxa,
  connectLegacy,
  readAll,
  RecordingTransport,
  type AccountSummary,
  type SeedChoice,
} from '../../conformance/support/storage.js';
import { createMigratedDatabase, type ScratchDatabase } from '../../support/postgres.js';

export { ConformanceSandbox, RecordingTransport, readAll, storage15Path, type AccountSummary } from '../../conformance/support/storage.js';

/** A few hundred records across every collection Firefox syncs. */
export const DEMO_SEED: SeedChoice = 'demo';

/** A sandbox account, its row in the store, and a connection to back it up with. */
export interface BackedUpAccount {
  account: AccountSummary;
  accountId: string;
  connection: SyncConnection;
  /** Every storage request the connection sent. */
  wire: RecordingTransport;
  traffic: SyncTraffic;
}

export class BackupWorld {
  readonly repository: SnapshotRepository;
  readonly keyCustody: KeyCustody;

  private constructor(
    readonly sandbox: ConformanceSandbox,
    readonly database: ScratchDatabase,
    readonly prisma: PrismaClient,
    readonly vaultKey: Buffer,
  ) {
    this.repository = new SnapshotRepository(prisma);
    this.keyCustody = new KeyCustody(prisma, new Vault(vaultKey));
  }

  static async start(): Promise<BackupWorld> {
    const sandbox = await ConformanceSandbox.start();
    const database = createMigratedDatabase('syncvault_backup');
    return new BackupWorld(sandbox, database, createPrismaClient(database.url), randomBytes(32));
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await this.sandbox.close();
    this.database.drop();
  }

  engine(options: Partial<BackupEngineOptions> = {}): BackupEngine {
    return new BackupEngine({ prisma: this.prisma, databaseUrl: this.database.url, keyCustody: this.keyCustody, ...options });
  }

  /** The Account row a backup needs (secrets sealed but unused: tests hand the engine a connection). */
  async accountRow(account: AccountSummary, alertSettings: Record<string, unknown> = {}): Promise<string> {
    const vault = new Vault(this.vaultKey);
    const id = randomUUID();
    await this.prisma.account.create({
      data: {
        id,
        name: `${account.email}-${id.slice(0, 8)}`,
        kind: account.kind === 'fxa' ? 'selfhosted15' : 'legacy11',
        email: account.email,
        sealedSecrets: new Uint8Array(vault.sealJson({ placeholder: true }, accountSecretsPurpose(id))),
        alertSettings: alertSettings as never,
      },
    });
    return id;
  }

  /** A seeded sandbox account with its store row and a metered, recorded connection. */
  async seededAccount(kind: 'fxa' | 'legacy11', seed: SeedChoice = DEMO_SEED, alertSettings: Record<string, unknown> = {}): Promise<BackedUpAccount> {
    const account = await this.sandbox.createAccount(kind, { seed });
    const accountId = await this.accountRow(account, alertSettings);
    return { account, accountId, ...(await this.connect(account)) };
  }

  /** A fresh connection (own recording transport and meter) for an account. */
  async connect(account: AccountSummary): Promise<{ connection: SyncConnection; wire: RecordingTransport; traffic: SyncTraffic }> {
    const wire = new RecordingTransport();
    const traffic = new SyncTraffic({ transport: wire });
    const options = traffic.connectionOptions();
    const connection = account.kind === 'fxa' ? (await connectFxa(this.sandbox, account, options)).connection : connectLegacy(this.sandbox, account, options).connection;
    return { connection, wire, traffic };
  }

  /** Runs a backup of `subject` with a fresh engine (options as given), recording progress. */
  async backup(subject: BackedUpAccount, options: Partial<BackupEngineOptions> = {}, progress: BackupProgress[] = []): Promise<SnapshotSummary> {
    return this.engine(options).run({
      accountId: subject.accountId,
      trigger: 'manual',
      connection: subject.connection,
      traffic: subject.traffic,
      onProgress: (update) => progress.push(update),
    });
  }

  /** Every record the server has now, per collection, as a client reads it. */
  async serverRecords(connection: SyncConnection): Promise<Map<string, Map<string, RemoteBso>>> {
    const info = await connection.storage.infoCollections();
    const result = new Map<string, Map<string, RemoteBso>>();
    for (const collection of Object.keys(info)) {
      const records = await readAll(connection.storage, collection);
      result.set(collection, new Map(records.map((record) => [record.id, record])));
    }
    return result;
  }

  /** Every record snapshot `seq` holds for a collection, by id. */
  async snapshotRecords(accountId: string, seq: number, collection: string): Promise<Map<string, StoredRecordVersion>> {
    const result = new Map<string, StoredRecordVersion>();
    for (let offset = 0; ; ) {
      const page = await this.repository.visibleVersions(accountId, seq, collection, { offset, limit: 1000 });
      for (const version of page) result.set(version.bsoId, version);
      if (page.length < 1000) return result;
      offset += page.length;
    }
  }

  /** Asserts that snapshot `seq` holds exactly what the server holds now, payloads byte for byte. */
  async assertSnapshotEqualsServer(accountId: string, seq: number, connection: SyncConnection): Promise<void> {
    const server = await this.serverRecords(connection);
    const snapshot = await this.repository.get(accountId, seq);
    assert.ok(snapshot, `snapshot ${seq} exists`);
    assert.deepEqual(Object.keys(snapshot.collections).sort(), [...server.keys()].sort(), 'the snapshot lists the server’s collections');
    for (const [collection, records] of server) {
      const stored = await this.snapshotRecords(accountId, seq, collection);
      assert.equal(snapshot.collections[collection]?.count, records.size, `${collection}: the snapshot's count is the server's`);
      assert.deepEqual([...stored.keys()].sort(), [...records.keys()].sort(), `${collection}: same ids`);
      for (const [id, record] of records) {
        const version = stored.get(id);
        assert.ok(version);
        assert.equal(version.payload, record.payload, `${collection}/${id}: payload byte for byte`);
        assert.equal(version.modified, record.modified, `${collection}/${id}: modified`);
        assert.equal(version.sortindex, record.sortindex ?? null, `${collection}/${id}: sortindex`);
      }
    }
  }

  async versionCount(accountId: string, where: { fromSeq?: number; toSeq?: number; collection?: string; hmacValid?: boolean } = {}): Promise<number> {
    return this.prisma.recordVersion.count({ where: { accountId, ...where } });
  }

  async blobCount(): Promise<number> {
    return this.prisma.blob.count();
  }
}

/** Storage requests that read a collection (ids lists and record pages), as opposed to info/*. */
export function collectionReads(wire: RecordingTransport): string[] {
  return wire.exchanges.filter((exchange) => exchange.method === 'GET' && /\/storage\/[^/?]+(\?|$)/.test(exchange.path)).map((exchange) => exchange.path);
}

/** A fresh 12-character base64url id, as Firefox makes them. */
export function newGuid(): string {
  return randomBytes(9).toString('base64url');
}
