/**
 * Storage 1.5 conformance, failures: every fault the sandbox injects (faults.ts), and how the
 * daemon's Storage15Client recovers or reports it (sync-protocols.md §5.4, 5.8).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthenticationError,
  ConflictError,
  HttpTransport,
  NetworkError,
  PreconditionFailedError,
  ServiceUnavailableError,
  type ServerNotice,
} from '@syncvault/daemon/sync';
import { ConformanceSandbox, connectFxa, connectFxaObserved, RecordingTransport, storage15Path, type AccountSummary } from './support/storage.js';

const SMALL_SEED = { bookmarks: 4, history: 5, forms: 3 };

describe('storage 1.5 faults: Storage15Client against the sandbox’s fault injection', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  async function seeded(): Promise<AccountSummary> {
    return sandbox.createAccount('fxa', { seed: SMALL_SEED });
  }

  describe('503 with Retry-After', () => {
    it('two 503s are waited out and retried: the call succeeds on the third attempt', async () => {
      const account = await seeded();
      const transport = new RecordingTransport();
      const { storage } = await connectFxa(sandbox, account, { transport });
      const expected = await storage.infoCollections();
      transport.clear();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 2, kind: '503', retryAfter: 7 });

      assert.deepEqual(await storage.infoCollections(), expected);
      assert.equal((await sandbox.fault(rule.id)).fired, 2);
      assert.deepEqual(
        transport.matching('GET', /\/info\/collections$/).map((exchange) => exchange.status),
        [503, 503, 200],
      );
    });

    it('503s past the retry bound fail with ServiceUnavailableError carrying the server’s Retry-After', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await storage.infoCollections();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 10, kind: '503', retryAfter: 7 });

      await assert.rejects(storage.infoCollections(), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailableError, `got ${String(error)}`);
        assert.equal(error.status, 503);
        assert.equal(error.retryAfterSeconds, 7);
        return true;
      });
      assert.equal((await sandbox.fault(rule.id)).fired, 3, 'three attempts (the default bound)');
    });

    it('503s past the retry bound: the error message tells how long the server asked to wait', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await storage.infoCollections();
      await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 10, kind: '503', retryAfter: 7 });

      await assert.rejects(storage.infoCollections(), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailableError, `got ${String(error)}`);
        // FxA and tokenserver errors say "; retry after 7 s"; a storage 503 should tell the user as much.
        assert.match(error.message, /\b7 ?(s|sec|seconds)\b/, `message: ${error.message}`);
        return true;
      });
    });

    it('a 503 on a batch POST is retried and every record lands exactly once', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await storage.configuration();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/storage/forms'), method: 'POST', count: 2, kind: '503', retryAfter: 3 });
      const records = Array.from({ length: 20 }, (_, index) => ({ id: `retried${String(index).padStart(5, '0')}`, payload: `p${index}` }));

      const result = await storage.uploadRecords('forms', records);
      assert.equal((await sandbox.fault(rule.id)).fired, 2);
      assert.equal(result.success.length, 20);
      assert.deepEqual(result.failed, {});
      assert.equal((await storage.readIds('forms')).length, 3 + 20);
    });
  });

  describe('backoff', () => {
    it('X-Weave-Backoff reaches onServerNotice with its seconds and the URL, and the call itself succeeds', async () => {
      const account = await seeded();
      const notices: ServerNotice[] = [];
      const { storage } = await connectFxa(sandbox, account, { notices });
      const expected = await storage.infoCollections();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 1, kind: 'backoff', backoff: 42 });

      assert.deepEqual(await storage.infoCollections(), expected);
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
      const backoffs = notices.filter((notice) => notice.kind === 'backoff');
      assert.equal(backoffs.length, 1);
      const [notice] = backoffs;
      assert.ok(notice?.kind === 'backoff');
      assert.equal(notice.seconds, 42);
      assert.match(notice.url, new RegExp(`/1\\.5/${account.storageUid}/info/collections$`));
    });

    it('a backoff on a write: the write succeeds and the notice is reported', async () => {
      const account = await seeded();
      const notices: ServerNotice[] = [];
      const { storage } = await connectFxa(sandbox, account, { notices });
      await sandbox.addFault({ path: storage15Path(account, '/storage/forms/backoffrec01'), method: 'PUT', count: 1, kind: 'backoff', backoff: 5 });
      const written = await storage.putRecord('forms', { id: 'backoffrec01', payload: 'after backoff' });
      assert.equal((await storage.getRecord('forms', 'backoffrec01'))?.modified, written.modified);
      assert.deepEqual(
        notices.filter((notice) => notice.kind === 'backoff').map((notice) => notice.kind === 'backoff' && notice.seconds),
        [5],
      );
    });
  });

  describe('401', () => {
    it('one 401 makes the client exchange a new token at the tokenserver and succeed with it', async () => {
      const account = await seeded();
      const notices: ServerNotice[] = [];
      const session = await connectFxaObserved(sandbox, account, { notices });
      const expected = await session.storage.infoCollections();
      assert.equal(session.tokenserverTraffic.exchanges.length, 1, 'one exchange before the fault');
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 1, kind: '401' });

      assert.deepEqual(await session.storage.infoCollections(), expected);
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
      assert.equal(session.tokens.invalidations, 1);
      assert.equal(session.tokenserverTraffic.exchanges.length, 2, 'exactly one more token exchange');
      assert.ok(session.tokenserverTraffic.exchanges.every((exchange) => exchange.status === 200));
      assert.equal(session.tokens.issued.length, 2);
      assert.notEqual(session.tokens.issued[0]?.id, session.tokens.issued[1]?.id, 'a different token');
      assert.deepEqual(notices.filter((notice) => notice.kind === 'node-reassigned'), [], 'same node: no reassignment notice');
    });

    it('a 401 that a fresh token does not cure fails with AuthenticationError after a single renewal', async () => {
      const account = await seeded();
      const session = await connectFxaObserved(sandbox, account);
      await session.storage.infoCollections();
      await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 5, kind: '401' });

      await assert.rejects(session.storage.infoCollections(), AuthenticationError);
      assert.equal(session.tokenserverTraffic.exchanges.length, 2);
      assert.equal(session.tokens.invalidations, 1);
    });
  });

  describe('dropped connections and slowness', () => {
    it('a connection reset fails the call with a typed NetworkError (the client does not retry it); the next call succeeds', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      const expected = await storage.infoCollections();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 1, kind: 'reset' });

      await assert.rejects(storage.infoCollections(), (error: unknown) => {
        assert.ok(error instanceof NetworkError, `got ${String(error)}`);
        assert.match(error.host, /^127\.0\.0\.1:\d+$/);
        return true;
      });
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
      assert.deepEqual(await storage.infoCollections(), expected);
    });

    it('a reset PUT fails with NetworkError and writes nothing', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await sandbox.addFault({ path: storage15Path(account, '/storage/forms/resetrecord1'), method: 'PUT', count: 1, kind: 'reset' });
      await assert.rejects(storage.putRecord('forms', { id: 'resetrecord1', payload: 'lost' }), NetworkError);
      assert.equal(await storage.getRecord('forms', 'resetrecord1'), null);
    });

    it('a delayed answer is waited for and the call succeeds', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      const expected = await storage.readIds('history');
      const rule = await sandbox.addFault({ path: storage15Path(account, '/storage/history'), count: 1, kind: 'delay', delayMs: 300 });
      assert.deepEqual(await storage.readIds('history'), expected);
      assert.equal((await sandbox.fault(rule.id)).fired, 1);
    });

    it('a delay longer than the transport timeout fails with a NetworkError saying it timed out', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account, { transport: new HttpTransport({ timeoutMs: 150 }) });
      await storage.infoCollections();
      await sandbox.addFault({ path: storage15Path(account, '/info/collections'), count: 1, kind: 'delay', delayMs: 800 });
      await assert.rejects(storage.infoCollections(), (error: unknown) => {
        assert.ok(error instanceof NetworkError, `got ${String(error)}`);
        assert.match(error.reason, /timed out/);
        return true;
      });
    });
  });

  describe('412, 409, 429', () => {
    it('a 412 on a PUT fails with PreconditionFailedError and writes nothing', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      const rule = await sandbox.addFault({ path: storage15Path(account, '/storage/forms/conflicted1'), method: 'PUT', count: 1, kind: '412' });
      await assert.rejects(storage.putRecord('forms', { id: 'conflicted1', payload: 'x' }), PreconditionFailedError);
      assert.equal((await sandbox.fault(rule.id)).fired, 1, 'not retried');
      assert.equal(await storage.getRecord('forms', 'conflicted1'), null);
    });

    it('a 412 on a collection read fails it with PreconditionFailedError', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await sandbox.addFault({ path: storage15Path(account, '/storage/history'), method: 'GET', count: 1, kind: '412' });
      await assert.rejects(storage.readIds('history'), PreconditionFailedError);
    });

    it('two 409s on a POST are waited out and retried: the upload succeeds', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await storage.configuration();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/storage/forms'), method: 'POST', count: 2, kind: '409', retryAfter: 2 });
      const result = await storage.uploadRecords('forms', [{ id: 'conflict0001', payload: 'c' }]);
      assert.deepEqual(result.success, ['conflict0001']);
      assert.equal((await sandbox.fault(rule.id)).fired, 2);
      assert.equal((await storage.getRecord('forms', 'conflict0001'))?.payload, 'c');
    });

    it('409s past the retry bound fail with ConflictError and write nothing', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await sandbox.addFault({ path: storage15Path(account, '/storage/forms/conflict0002'), count: 10, kind: '409', retryAfter: 1 });
      await assert.rejects(storage.putRecord('forms', { id: 'conflict0002', payload: 'c' }), ConflictError);
      await sandbox.control('DELETE', '/faults');
      assert.equal(await storage.getRecord('forms', 'conflict0002'), null);
    });

    it('two 429s are waited out and retried: the call succeeds', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      const expected = await storage.collectionCounts();
      const rule = await sandbox.addFault({ path: storage15Path(account, '/info/collection_counts'), count: 2, kind: '429', retryAfter: 4 });
      assert.deepEqual(await storage.collectionCounts(), expected);
      assert.equal((await sandbox.fault(rule.id)).fired, 2);
    });

    it('429s past the retry bound fail with ServiceUnavailableError (status 429, Retry-After kept)', async () => {
      const account = await seeded();
      const { storage } = await connectFxa(sandbox, account);
      await storage.collectionCounts();
      await sandbox.addFault({ path: storage15Path(account, '/info/collection_counts'), count: 10, kind: '429', retryAfter: 4 });
      await assert.rejects(storage.collectionCounts(), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailableError, `got ${String(error)}`);
        assert.equal(error.status, 429);
        assert.equal(error.retryAfterSeconds, 4);
        return true;
      });
    });
  });
});
