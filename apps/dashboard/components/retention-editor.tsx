'use client';

import { Outcome } from './states';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api';
import { formatDateTime } from '../lib/format';
import type { Account, RetentionPolicy, RetentionPreview, SnapshotRef } from '../lib/types';
import { RelativeTime } from './relative-time';

type Rule = keyof RetentionPolicy;

/** The policy's rules as the daemon knows them (retention/policy.ts), with what each counts. */
const RULES: ReadonlyArray<{ rule: Rule; label: string; unit: string; summary: string }> = [
  { rule: 'keepLast', label: 'Keep last', unit: 'snapshots', summary: 'last' },
  { rule: 'keepHourly', label: 'Keep hourly', unit: 'hours', summary: 'hourly' },
  { rule: 'keepDaily', label: 'Keep daily', unit: 'days', summary: 'daily' },
  { rule: 'keepWeekly', label: 'Keep weekly', unit: 'weeks', summary: 'weekly' },
  { rule: 'keepMonthly', label: 'Keep monthly', unit: 'months', summary: 'monthly' },
  { rule: 'keepYearly', label: 'Keep yearly', unit: 'years', summary: 'yearly' },
];

/** The daemon takes any whole number; beyond this a rule keeps everything anyway. */
const MAX_RULE = 1_000_000;
const PREVIEW_DELAY_MS = 250;

const REASON_LABELS: Record<string, string> = {
  last: 'last',
  hourly: 'hourly',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  yearly: 'yearly',
  'pre-restore': 'taken before a restore',
  migration: 'copied by an unfinished migration',
  newest: 'newest (always kept)',
  'no-policy': 'no rule set',
  policy: 'no rule keeps it',
  failed: 'failed (always removed)',
};

/** "Keep 3 last, 7 daily", or "Keep every snapshot" without a rule. */
export function retentionLabel(policy: RetentionPolicy): string {
  const rules = RULES.filter(({ rule }) => policy[rule] !== undefined).map(({ rule, summary }) => `${policy[rule]} ${summary}`);
  return rules.length === 0 ? 'Keep every snapshot' : `Keep ${rules.join(', ')}`;
}

type Values = Record<Rule, string>;

function valuesOf(policy: RetentionPolicy): Values {
  return Object.fromEntries(RULES.map(({ rule }) => [rule, policy[rule] === undefined ? '' : String(policy[rule])])) as Values;
}

/** The policy the fields say, or the message of each field that is not a whole number ≥ 0. */
function parse(values: Values): { policy: RetentionPolicy; errors: Partial<Record<Rule, string>> } {
  const policy: RetentionPolicy = {};
  const errors: Partial<Record<Rule, string>> = {};
  for (const { rule, unit } of RULES) {
    const text = values[rule].trim();
    if (text === '') continue;
    if (!/^\d+$/.test(text)) errors[rule] = `A whole number of ${unit} (0 or more), or empty.`;
    else if (Number(text) > MAX_RULE) errors[rule] = `At most ${MAX_RULE.toLocaleString('en')}.`;
    else policy[rule] = Number(text);
  }
  return { policy, errors };
}

function samePolicy(a: RetentionPolicy, b: RetentionPolicy): boolean {
  return RULES.every(({ rule }) => a[rule] === b[rule]);
}

function SnapshotLine({ snapshot, why }: { snapshot: SnapshotRef; why: string }) {
  return (
    <li data-seq={snapshot.seq}>
      <span className="preview-seq">#{snapshot.seq}</span> <span title={formatDateTime(snapshot.startedAt)}><RelativeTime iso={snapshot.startedAt} /></span>
      {snapshot.status === 'failed' && <span className="muted"> (failed)</span>}
      <span className="preview-why muted"> {why}</span>
    </li>
  );
}

function PreviewLists({ preview }: { preview: RetentionPreview }) {
  if (preview.kept.length + preview.removed.length + preview.running.length === 0) return <p className="muted">No snapshot yet: nothing to keep or remove.</p>;
  return (
    <div className="preview-lists">
      <div className="preview-list preview-kept">
        <h4>Kept ({preview.kept.length})</h4>
        {preview.kept.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul aria-label="Snapshots kept">
            {preview.kept.map((snapshot) => (
              <SnapshotLine key={snapshot.seq} snapshot={snapshot} why={snapshot.reasons.map((reason) => REASON_LABELS[reason] ?? reason).join(', ')} />
            ))}
          </ul>
        )}
      </div>
      <div className="preview-list preview-removed">
        <h4>Removed ({preview.removed.length})</h4>
        {preview.removed.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul aria-label="Snapshots removed">
            {preview.removed.map((snapshot) => (
              <SnapshotLine key={snapshot.seq} snapshot={snapshot} why={REASON_LABELS[snapshot.reason] ?? snapshot.reason} />
            ))}
          </ul>
        )}
      </div>
      {preview.running.length > 0 && (
        <p className="muted preview-running">
          {preview.running.map((snapshot) => `#${snapshot.seq}`).join(', ')} running: retention never touches a running snapshot.
        </p>
      )}
    </div>
  );
}

/**
 * The retention policy: one field per rule, a live preview of what the edited (unsaved) policy
 * would keep and remove among the account's snapshots, and Save. Saving removes nothing by
 * itself: the policy applies after each scheduled backup.
 */
export function RetentionEditor({ account, snapshotsVersion, onSaved }: { account: Account; snapshotsVersion: string; onSaved: (account: Account) => void }) {
  const id = useId();
  const [values, setValues] = useState<Values>(() => valuesOf(account.retention));
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [preview, setPreview] = useState<{ data?: RetentionPreview; error?: string; loading: boolean }>({ loading: true });
  const fields = useRef(new Map<Rule, HTMLInputElement>());

  const { policy, errors } = parse(values);
  const valid = Object.keys(errors).length === 0;
  const changed = !samePolicy(policy, account.retention);
  // The effect below reruns when the policy's value changes, not on every render's new object.
  const policyKey = valid ? JSON.stringify(policy) : undefined;

  useEffect(() => {
    if (policyKey === undefined) return undefined;
    const wanted = JSON.parse(policyKey) as RetentionPolicy;
    const controller = new AbortController();
    setPreview((current) => ({ ...current, loading: true }));
    const timer = setTimeout(() => {
      api.retentionPreview(account.id, wanted, controller.signal).then(
        (data) => setPreview({ data, loading: false }),
        (error: unknown) => {
          if ((error as Error).name !== 'AbortError') setPreview((current) => ({ ...current, error: describeError(error), loading: false }));
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [account.id, policyKey, snapshotsVersion]);

  function edit(rule: Rule, value: string) {
    setValues((current) => ({ ...current, [rule]: value }));
    setMessage(undefined);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMessage(undefined);
    if (!valid) {
      const first = RULES.find(({ rule }) => errors[rule] !== undefined);
      if (first !== undefined) fields.current.get(first.rule)?.focus();
      return;
    }
    setSaving(true);
    try {
      const patch = Object.fromEntries(RULES.map(({ rule }) => [rule, policy[rule] ?? null]));
      const saved = await api.updateAccount(account.id, { retention: patch });
      setValues(valuesOf(saved.retention));
      setMessage({ ok: true, text: `Saved: ${retentionLabel(saved.retention)}.` });
      onSaved(saved);
    } catch (error) {
      setMessage({ ok: false, text: describeError(error) });
    } finally {
      setSaving(false);
    }
  }

  function undo() {
    setValues(valuesOf(account.retention));
    setMessage(undefined);
  }

  const summary = preview.data === undefined ? undefined : `Keeps ${preview.data.kept.length} snapshot${preview.data.kept.length === 1 ? '' : 's'}, removes ${preview.data.removed.length}.`;

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Retention</h2>
      <p className="hint" id={`${id}-hint`}>
        Each rule keeps the newest snapshot of each of the last <em>n</em> hours, days, ISO weeks, months or years (UTC) that have one; <em>Keep last</em> keeps the <em>n</em> newest snapshots. Leave every field empty to keep every snapshot. The newest snapshot and those taken before a restore are always kept, failed ones always removed. Saving removes nothing by itself: the policy applies after each scheduled backup.
      </p>
      <form className="form retention-form" onSubmit={save} noValidate>
        <fieldset className="retention-rules" aria-describedby={`${id}-hint`}>
          <legend className="visually-hidden">Retention rules</legend>
          {RULES.map(({ rule, label, unit }) => {
            const error = errors[rule];
            return (
              <div className="field" key={rule}>
                <label htmlFor={`${id}-${rule}`}>{label}</label>
                <div className="unit-field">
                  <input
                    id={`${id}-${rule}`}
                    ref={(element) => {
                      if (element === null) fields.current.delete(rule);
                      else fields.current.set(rule, element);
                    }}
                    name={rule}
                    inputMode="numeric"
                    autoComplete="off"
                    value={values[rule]}
                    onChange={(event) => edit(rule, event.target.value)}
                    aria-invalid={error !== undefined}
                    aria-describedby={error !== undefined ? `${id}-${rule}-error` : `${id}-${rule}-unit`}
                    placeholder="—"
                  />
                  <span className="muted" id={`${id}-${rule}-unit`}>
                    {unit}
                  </span>
                </div>
                {error !== undefined && (
                  <p className="field-error" id={`${id}-${rule}-error`}>
                    {error}
                  </p>
                )}
              </div>
            );
          })}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={saving || (!changed && valid)}>
            {saving ? 'Saving…' : 'Save retention policy'}
          </button>
          <button type="button" className="button button-secondary" onClick={undo} disabled={saving || (!changed && valid)}>
            Undo changes
          </button>
        </div>
        <Outcome outcome={message} />
      </form>

      <div className="retention-preview" aria-labelledby={`${id}-preview-title`} role="region" data-state={!valid ? 'invalid' : preview.loading ? 'loading' : preview.error !== undefined ? 'error' : 'ready'}>
        <h3 id={`${id}-preview-title`}>Preview {changed ? <span className="badge badge-warning">not saved</span> : <span className="badge badge-neutral">saved policy</span>}</h3>
        <p className="muted preview-note">What this policy would keep and remove among the snapshots now; nothing is removed here.</p>
        <p className="preview-summary" role="status" aria-live="polite">
          {!valid ? 'Fix the highlighted rule to see the preview.' : preview.error !== undefined && !preview.loading ? '' : summary ?? 'Planning…'}
        </p>
        {valid && preview.error !== undefined && !preview.loading && (
          <p className="banner banner-error" role="alert">
            No preview: {preview.error}
          </p>
        )}
        {valid && preview.data !== undefined && preview.error === undefined && <PreviewLists preview={preview.data} />}
      </div>
    </section>
  );
}
