import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidRetentionPolicyError,
  parseRetentionPolicy,
  planRetention,
  type KeepReason,
  type RetentionCandidate,
  type RetentionPlan,
  type RetentionPolicy,
} from '../../src/retention/index.js';

let nextSeq = 1;

/** A snapshot at an ISO UTC time; seqs grow in creation order, as the store's do. */
function snap(iso: string, extra: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return { seq: nextSeq++, status: 'complete', startedAt: new Date(iso), tags: [], ...extra };
}

function series(...isoTimes: string[]): RetentionCandidate[] {
  nextSeq = 1;
  return isoTimes.map((iso) => snap(iso));
}

function keptSeqs(plan: RetentionPlan<RetentionCandidate>): number[] {
  return plan.keep.map(({ snapshot }) => snapshot.seq);
}

function removedSeqs(plan: RetentionPlan<RetentionCandidate>): number[] {
  return plan.remove.map(({ snapshot }) => snapshot.seq).sort((a, b) => a - b);
}

function reasonsOf(plan: RetentionPlan<RetentionCandidate>, seq: number): KeepReason[] {
  return plan.keep.find(({ snapshot }) => snapshot.seq === seq)?.reasons ?? [];
}

describe('planRetention: each rule alone', () => {
  it('keepLast keeps the n newest complete snapshots, newest first', () => {
    const snapshots = series('2026-01-01T00:00Z', '2026-01-02T00:00Z', '2026-01-03T00:00Z', '2026-01-04T00:00Z', '2026-01-05T00:00Z');
    const plan = planRetention(snapshots, { keepLast: 3 });
    assert.deepEqual(keptSeqs(plan), [5, 4, 3]);
    assert.deepEqual(removedSeqs(plan), [1, 2]);
    assert.ok(plan.remove.every(({ reason }) => reason === 'policy'));
    assert.deepEqual(reasonsOf(plan, 4), ['last']);
  });

  it('keepLast larger than the number of snapshots keeps them all', () => {
    const plan = planRetention(series('2026-01-01T00:00Z', '2026-01-02T00:00Z'), { keepLast: 10 });
    assert.deepEqual(keptSeqs(plan), [2, 1]);
    assert.deepEqual(plan.remove, []);
  });

  it('keepHourly keeps the newest snapshot of each of the n newest hours that have one', () => {
    const snapshots = series('2026-03-01T10:05Z', '2026-03-01T10:40Z', '2026-03-01T11:10Z', '2026-03-01T11:50Z', '2026-03-01T14:00Z');
    const plan = planRetention(snapshots, { keepHourly: 2 });
    assert.deepEqual(keptSeqs(plan), [5, 4]);
    assert.deepEqual(removedSeqs(plan), [1, 2, 3]);
    assert.deepEqual(reasonsOf(plan, 4), ['hourly']);
  });

  it('keepDaily counts days that hold a snapshot, skipping empty days, and keeps the newest of each', () => {
    const snapshots = series('2026-03-01T08:00Z', '2026-03-01T20:00Z', '2026-03-04T09:00Z', '2026-03-04T10:00Z', '2026-03-10T01:00Z');
    const plan = planRetention(snapshots, { keepDaily: 3 });
    assert.deepEqual(keptSeqs(plan), [5, 4, 2]);
    assert.deepEqual(removedSeqs(plan), [1, 3]);
  });

  it('buckets by UTC: 23:30 and 00:30 the next day are two days', () => {
    const plan = planRetention(series('2026-05-01T23:30Z', '2026-05-02T00:30Z'), { keepDaily: 2 });
    assert.deepEqual(keptSeqs(plan), [2, 1]);
    const sameDay = planRetention(series('2026-05-02T00:10Z', '2026-05-02T23:50Z'), { keepDaily: 2 });
    assert.deepEqual(keptSeqs(sameDay), [2]);
  });

  it('keepWeekly buckets by ISO week: Monday starts a week, and a week can straddle New Year', () => {
    // 2026-01-04 is a Sunday, 2026-01-05 the Monday after: two weeks.
    const plan = planRetention(series('2026-01-04T12:00Z', '2026-01-05T12:00Z', '2026-01-11T12:00Z'), { keepWeekly: 5 });
    assert.deepEqual(keptSeqs(plan), [3, 1]);
    assert.deepEqual(removedSeqs(plan), [2]);
    // Monday 2024-12-30 and Wednesday 2025-01-01 are both in ISO week 2025-W01.
    const newYear = planRetention(series('2024-12-30T12:00Z', '2025-01-01T12:00Z'), { keepWeekly: 5 });
    assert.deepEqual(keptSeqs(newYear), [2]);
  });

  it('keepMonthly keeps the newest snapshot of each of the n newest months', () => {
    const snapshots = series('2025-11-03T00:00Z', '2025-11-28T00:00Z', '2025-12-15T00:00Z', '2026-01-01T00:00Z', '2026-01-31T23:59Z');
    const plan = planRetention(snapshots, { keepMonthly: 2 });
    assert.deepEqual(keptSeqs(plan), [5, 3]);
    assert.deepEqual(removedSeqs(plan), [1, 2, 4]);
    assert.deepEqual(reasonsOf(plan, 3), ['monthly']);
  });

  it('keepYearly keeps the newest snapshot of each of the n newest years', () => {
    const snapshots = series('2023-06-01T00:00Z', '2024-02-01T00:00Z', '2024-12-31T23:00Z', '2026-07-01T00:00Z');
    const plan = planRetention(snapshots, { keepYearly: 3 });
    assert.deepEqual(keptSeqs(plan), [4, 3, 1]);
    assert.deepEqual(removedSeqs(plan), [2]);
  });
});

describe('planRetention: rules combined', () => {
  it('a snapshot kept for several reasons lists each; rules count their buckets independently', () => {
    const snapshots = series(
      '2025-12-30T10:00Z', // 1
      '2026-01-14T10:00Z', // 2
      '2026-01-20T09:00Z', // 3
      '2026-01-20T18:00Z', // 4
      '2026-01-21T07:00Z', // 5
      '2026-01-21T07:30Z', // 6
      '2026-01-21T08:15Z', // 7
    );
    const plan = planRetention(snapshots, { keepLast: 2, keepHourly: 2, keepDaily: 2, keepMonthly: 2, keepYearly: 2 });
    assert.deepEqual(reasonsOf(plan, 7), ['last', 'hourly', 'daily', 'monthly', 'yearly', 'newest']);
    assert.deepEqual(reasonsOf(plan, 6), ['last', 'hourly']);
    assert.deepEqual(reasonsOf(plan, 4), ['daily']);
    assert.deepEqual(reasonsOf(plan, 1), ['monthly', 'yearly']);
    assert.deepEqual(keptSeqs(plan), [7, 6, 4, 1]);
    assert.deepEqual(removedSeqs(plan), [2, 3, 5]);
  });

  it('daily plus weekly plus monthly over two months of daily snapshots keeps what restic would', () => {
    nextSeq = 1;
    const snapshots: RetentionCandidate[] = [];
    for (let offset = 0; offset < 60; offset++) snapshots.push(snap(new Date(Date.UTC(2026, 0, 1 + offset, 3)).toISOString()));
    const plan = planRetention(snapshots, { keepDaily: 7, keepWeekly: 4, keepMonthly: 3 });
    const kept = new Set(keptSeqs(plan));
    // Seq n is 2026-01-01 + (n - 1) days; seq 60 is Sunday 2026-03-01.
    for (let seq = 54; seq <= 60; seq++) assert.ok(kept.has(seq), `daily keeps seq ${seq}`);
    // Weekly: the Sundays ending ISO weeks before: 03-01 (60), 02-22 (53), 02-15 (46), 02-08 (39).
    for (const seq of [53, 46, 39]) assert.deepEqual(reasonsOf(plan, seq), ['weekly']);
    // Monthly: March (60), February's newest 02-28 (59, already daily), January's newest 01-31 (31).
    assert.deepEqual(reasonsOf(plan, 31), ['monthly']);
    assert.ok(reasonsOf(plan, 59).includes('monthly'));
    assert.equal(kept.size, 7 + 3 + 1);
  });

  it('does not depend on the order snapshots are given in', () => {
    const snapshots = series('2026-01-01T00:00Z', '2026-01-02T00:00Z', '2026-01-02T05:00Z', '2026-01-09T00:00Z');
    const policy: RetentionPolicy = { keepDaily: 2, keepWeekly: 2 };
    assert.deepEqual(planRetention([...snapshots].reverse(), policy), planRetention(snapshots, policy));
    assert.deepEqual(planRetention([snapshots[2]!, snapshots[0]!, snapshots[3]!, snapshots[1]!], policy), planRetention(snapshots, policy));
  });
});

describe('planRetention: what every policy does', () => {
  it('an empty policy (or all zeros) keeps every complete snapshot', () => {
    const snapshots = series('2026-01-01T00:00Z', '2026-02-01T00:00Z', '2026-03-01T00:00Z');
    for (const policy of [{}, { keepLast: 0, keepDaily: 0 }]) {
      const plan = planRetention(snapshots, policy);
      assert.deepEqual(keptSeqs(plan), [3, 2, 1]);
      assert.deepEqual(plan.remove, []);
      assert.deepEqual(reasonsOf(plan, 1), ['no-policy']);
      assert.deepEqual(reasonsOf(plan, 3), ['newest', 'no-policy']);
    }
  });

  it('keeps pre-restore snapshots whatever the policy says', () => {
    nextSeq = 1;
    const snapshots = [snap('2026-01-01T00:00Z'), snap('2026-01-02T00:00Z', { tags: ['pre-restore'] }), snap('2026-01-03T00:00Z'), snap('2026-01-04T00:00Z')];
    const plan = planRetention(snapshots, { keepLast: 1 });
    assert.deepEqual(keptSeqs(plan), [4, 2]);
    assert.deepEqual(reasonsOf(plan, 2), ['pre-restore']);
    assert.deepEqual(removedSeqs(plan), [1, 3]);
  });

  it('keeps the snapshots unfinished migrations copy, whatever the policy says', () => {
    nextSeq = 1;
    const snapshots = [snap('2026-01-01T00:00Z'), snap('2026-01-02T00:00Z'), snap('2026-01-03T00:00Z'), snap('2026-01-04T00:00Z')];
    const plan = planRetention(snapshots, { keepLast: 1 }, new Set([2]));
    assert.deepEqual(keptSeqs(plan), [4, 2]);
    assert.deepEqual(reasonsOf(plan, 2), ['migration']);
    assert.deepEqual(removedSeqs(plan), [1, 3]);
  });

  it('removes failed snapshots always, and they take no bucket from complete ones', () => {
    nextSeq = 1;
    const snapshots = [
      snap('2026-01-01T09:00Z'),
      snap('2026-01-01T10:00Z'),
      snap('2026-01-02T09:00Z', { status: 'failed' }),
      snap('2026-01-02T10:00Z', { status: 'failed', tags: ['pre-restore'] }),
    ];
    const plan = planRetention(snapshots, { keepDaily: 1 });
    assert.deepEqual(keptSeqs(plan), [2]);
    assert.deepEqual(reasonsOf(plan, 2), ['daily', 'newest']);
    assert.deepEqual(removedSeqs(plan), [1, 3, 4]);
    assert.deepEqual(
      plan.remove.filter(({ reason }) => reason === 'failed').map(({ snapshot }) => snapshot.seq).sort(),
      [3, 4],
    );
    // Even an empty policy removes failed snapshots: they hold nothing to keep.
    assert.deepEqual(removedSeqs(planRetention(snapshots, {})), [3, 4]);
  });

  it('never touches running snapshots and does not count them', () => {
    nextSeq = 1;
    const snapshots = [snap('2026-01-01T00:00Z'), snap('2026-01-02T00:00Z'), snap('2026-01-03T00:00Z', { status: 'running' })];
    const plan = planRetention(snapshots, { keepLast: 1 });
    assert.deepEqual(plan.running.map((snapshot) => snapshot.seq), [3]);
    assert.deepEqual(keptSeqs(plan), [2]);
    assert.deepEqual(reasonsOf(plan, 2), ['last', 'newest']);
    assert.deepEqual(removedSeqs(plan), [1]);
  });

  it('always keeps the newest complete snapshot, the next backup’s baseline', () => {
    nextSeq = 1;
    const snapshots = [snap('2026-01-01T00:00Z'), snap('2026-01-05T00:00Z'), snap('2026-01-06T00:00Z', { status: 'failed' })];
    for (const policy of [{ keepYearly: 1 }, { keepLast: 1 }, { keepHourly: 1 }]) {
      const plan = planRetention(snapshots, policy);
      assert.deepEqual(keptSeqs(plan), [2]);
      assert.ok(reasonsOf(plan, 2).includes('newest'));
    }
  });

  it('handles no snapshots at all', () => {
    assert.deepEqual(planRetention([], { keepLast: 3 }), { keep: [], remove: [], running: [] });
  });

  it('hands back the caller’s own objects', () => {
    const rows = series('2026-01-01T00:00Z', '2026-01-02T00:00Z').map((candidate) => ({ ...candidate, extra: `row ${candidate.seq}` }));
    const plan = planRetention(rows, { keepLast: 1 });
    assert.equal(plan.keep[0]?.snapshot, rows[1]);
    assert.equal(plan.remove[0]?.snapshot.extra, 'row 1');
  });
});

describe('parseRetentionPolicy', () => {
  it('accepts every rule as a whole number ≥ 0', () => {
    const policy = { keepLast: 3, keepHourly: 0, keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 2 };
    assert.deepEqual(parseRetentionPolicy(policy), policy);
    assert.deepEqual(parseRetentionPolicy({}), {});
  });

  it('rejects unknown rules, bad counts and non-objects with one readable line', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ keepDays: 3 }, /unknown retention rule "keepDays"/],
      [{ keepDaily: -1 }, /keepDaily must be a whole number/],
      [{ keepDaily: 1.5 }, /keepDaily must be a whole number/],
      [{ keepDaily: '7' }, /keepDaily must be a whole number/],
      [null, /JSON object/],
      [[1, 2], /JSON object/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseRetentionPolicy(value), (error: unknown) => error instanceof InvalidRetentionPolicyError && message.test(error.message) && !error.message.includes('\n'));
    }
  });
});
