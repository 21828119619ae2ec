'use client';

import { useEffect, useId, useState } from 'react';
import { formatCount, formatDateTime } from '../lib/format';
import type { Snapshot } from '../lib/types';
import { Empty } from './states';

/** Series colours (globals.css --series-N, light and dark) and dash patterns, so lines differ by more than colour. */
const SERIES_COLOURS = 12;
const DASHES = ['', '7 4', '2 3'];
/** One record each, always: drawn only when asked for. */
const HIDDEN_AT_FIRST = new Set(['meta', 'crypto']);

const HEIGHT = 260;
const MARGIN = { top: 12, right: 18, bottom: 46, left: 16 };
const FONT_PX = 12;

interface Series {
  name: string;
  colour: string;
  dash: string;
  /** Count per point, in the points' order; null when the snapshot did not have the collection. */
  counts: Array<number | null>;
}

/** 0 and a few round steps (1, 2 or 5 × 10^k) up to at least `max`. */
function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) ticks.push(Math.round(value));
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Steps a time axis may tick at; days and longer count calendar days (local time). */
const TIME_STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

const TIME_FORMATS = {
  seconds: new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  minutes: new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }),
  days: new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' }),
  months: new Intl.DateTimeFormat('en', { month: 'short', year: 'numeric' }),
};

function localMidnight(at: number): Date {
  const date = new Date(at);
  date.setHours(0, 0, 0, 0);
  return date;
}

/**
 * At most `count` ticks on round times within [from, to]: the smallest step from TIME_STEPS that
 * fits, on multiples of it counted from local midnight (or the first of the month), so that no
 * two ticks read the same.
 */
function timeTicks(from: number, to: number, count: number): Array<{ at: number; label: string }> {
  const span = Math.max(to - from, SECOND);
  const step = TIME_STEPS.find((candidate) => span / candidate <= Math.max(1, count - 1)) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const format = step < MINUTE ? TIME_FORMATS.seconds : step < DAY ? TIME_FORMATS.minutes : step < 30 * DAY ? TIME_FORMATS.days : TIME_FORMATS.months;
  const ticks: number[] = [];
  if (step < DAY) {
    const midnight = localMidnight(from).getTime();
    for (let at = midnight + Math.ceil((from - midnight) / step) * step; at <= to; at += step) ticks.push(at);
  } else if (step < 30 * DAY) {
    const days = Math.round(step / DAY);
    const day = localMidnight(from);
    if (day.getTime() < from) day.setDate(day.getDate() + 1);
    for (; day.getTime() <= to; day.setDate(day.getDate() + days)) ticks.push(day.getTime());
  } else {
    const months = Math.max(1, Math.round(step / (30 * DAY)));
    const month = localMidnight(from);
    month.setDate(1);
    if (month.getTime() < from) month.setMonth(month.getMonth() + 1);
    for (; month.getTime() <= to; month.setMonth(month.getMonth() + months)) ticks.push(month.getTime());
  }
  if (ticks.length === 0) ticks.push(from);
  // Within a day the times say which; a midnight says the date instead, when the axis spans days.
  return ticks.map((at) => ({ at, label: step < DAY && step >= MINUTE && localMidnight(at).getTime() === at ? TIME_FORMATS.days.format(at) : format.format(at) }));
}

/** The width an element has on screen, followed as it changes (a phone turned, a window resized). */
function useWidth(): [(element: HTMLDivElement | null) => void, number] {
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    if (element === null) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry !== undefined) setWidth(Math.max(260, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return [setElement, width];
}

/**
 * Records per collection over the account's complete snapshots, as lines on a time axis: one
 * colour and dash per collection, a legend that shows or hides each line, and the same figures as
 * a table (for screen readers always, on screen when asked for).
 */
export function SnapshotChart({ snapshots, limited }: { snapshots: Snapshot[]; limited: boolean }) {
  const id = useId();
  const [wrapper, width] = useWidth();
  const [hidden, setHidden] = useState<Set<string>>(() => new Set(HIDDEN_AT_FIRST));
  const [showTable, setShowTable] = useState(false);

  const points = snapshots.filter((snapshot) => snapshot.status === 'complete').sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  if (points.length < 2) {
    return (
      <Empty title="Not enough snapshots for a chart yet.">
        <p>It draws how many records each collection held, snapshot after snapshot, once there are two complete snapshots.</p>
      </Empty>
    );
  }

  const names = [...new Set(points.flatMap((snapshot) => Object.keys(snapshot.collections)))].sort((a, b) => a.localeCompare(b));
  const series: Series[] = names.map((name, index) => ({
    name,
    colour: `var(--series-${index % SERIES_COLOURS})`,
    dash: DASHES[index % DASHES.length] ?? '',
    counts: points.map((snapshot) => snapshot.collections[name]?.count ?? null),
  }));
  const drawn = series.filter((line) => !hidden.has(line.name));
  const max = Math.max(0, ...drawn.flatMap((line) => line.counts.map((count) => count ?? 0)));
  const yTicks = countTicks(max);
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const labelWidth = Math.max(...yTicks.map((tick) => formatCount(tick).length)) * FONT_PX * 0.62;
  const left = MARGIN.left + labelWidth + 8;
  const plotWidth = width - left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const from = Date.parse(points[0]!.startedAt);
  const to = Date.parse(points[points.length - 1]!.startedAt);
  const x = (at: number) => left + (to === from ? plotWidth / 2 : ((at - from) / (to - from)) * plotWidth);
  const y = (count: number) => MARGIN.top + plotHeight - (count / yMax) * plotHeight;
  const xTicks = timeTicks(from, to, Math.min(7, Math.floor(plotWidth / 70) + 1));
  // A label near either end is anchored inward so that it stays inside the drawing.
  const edgeAnchor = (at: number) => (at - left < 30 ? 'start' : left + plotWidth - at < 30 ? 'end' : 'middle');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const description = `${points.length} complete snapshots from ${formatDateTime(first.startedAt)} to ${formatDateTime(last.startedAt)}. ${series
    .map((line) => `${line.name}: ${formatCount(line.counts[0] ?? 0)} to ${formatCount(line.counts[line.counts.length - 1] ?? 0)}`)
    .join('; ')}.`;

  function toggle(name: string) {
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  }

  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} className="chart-caption">
        Records per collection in {limited ? `the newest ${points.length}` : `all ${points.length}`} complete snapshots
      </figcaption>
      <div className="chart-legend" role="group" aria-label="Collections drawn">
        {series.map((line) => (
          <button key={line.name} type="button" className="chart-key" aria-pressed={!hidden.has(line.name)} onClick={() => toggle(line.name)} data-collection={line.name}>
            <svg width="22" height="10" aria-hidden="true" focusable="false">
              <line x1="1" y1="5" x2="21" y2="5" stroke={line.colour} strokeWidth="3" strokeDasharray={line.dash} />
            </svg>
            {line.name} <span className="muted">{formatCount(line.counts[line.counts.length - 1] ?? 0)}</span>
          </button>
        ))}
      </div>
      <div ref={wrapper} className="chart-plot">
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
          <title id={`${id}-title`}>Records per collection over time</title>
          <desc id={`${id}-desc`}>{description}</desc>
          <g className="chart-grid">
            {yTicks.map((tick) => (
              <g key={tick}>
                <line x1={left} x2={left + plotWidth} y1={y(tick)} y2={y(tick)} />
                <text x={left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                  {formatCount(tick)}
                </text>
              </g>
            ))}
            {xTicks.map((tick) => (
              <g key={tick.at}>
                <line x1={x(tick.at)} x2={x(tick.at)} y1={MARGIN.top + plotHeight} y2={MARGIN.top + plotHeight + 4} />
                <text x={x(tick.at)} y={MARGIN.top + plotHeight + 17} textAnchor={edgeAnchor(x(tick.at))}>
                  {tick.label}
                </text>
              </g>
            ))}
          </g>
          <text className="chart-axis-label" x={left + plotWidth / 2} y={HEIGHT - 6} textAnchor="middle">
            Snapshot start (your time zone)
          </text>
          <text className="chart-axis-label" x={12} y={MARGIN.top + plotHeight / 2} textAnchor="middle" transform={`rotate(-90 12 ${MARGIN.top + plotHeight / 2})`}>
            Records
          </text>
          {drawn.map((line) => {
            const path = line.counts.flatMap((count, index) => (count === null ? [] : [`${x(Date.parse(points[index]!.startedAt)).toFixed(1)},${y(count).toFixed(1)}`]));
            return (
              <g key={line.name} className="chart-series" data-collection={line.name} style={{ color: line.colour }}>
                <polyline points={path.join(' ')} fill="none" stroke="currentColor" strokeWidth="2" strokeDasharray={line.dash} strokeLinejoin="round" />
                {line.counts.map((count, index) =>
                  count === null ? null : (
                    <circle key={points[index]!.seq} cx={x(Date.parse(points[index]!.startedAt))} cy={y(count)} r="3.5" fill="currentColor">
                      <title>{`${line.name}: ${formatCount(count)} records in snapshot #${points[index]!.seq} (${formatDateTime(points[index]!.startedAt)})`}</title>
                    </circle>
                  ),
                )}
              </g>
            );
          })}
          {drawn.length === 0 && (
            <text x={left + plotWidth / 2} y={MARGIN.top + plotHeight / 2} textAnchor="middle" className="chart-axis-label">
              Pick a collection above to draw it.
            </text>
          )}
        </svg>
      </div>
      <button type="button" className="button button-quiet chart-table-toggle" aria-expanded={showTable} aria-controls={`${id}-table`} onClick={() => setShowTable((shown) => !shown)}>
        {showTable ? 'Hide the table' : 'Show as a table'}
      </button>
      <div id={`${id}-table`} className={showTable ? 'table-wrap chart-table' : 'visually-hidden'} role="region" aria-label="Records per collection, as a table" tabIndex={showTable ? 0 : -1}>
        <table className="table">
          <caption className="visually-hidden">Records per collection in each complete snapshot, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Snapshot</th>
              {series.map((line) => (
                <th scope="col" key={line.name}>
                  {line.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((snapshot, index) => (
              <tr key={snapshot.seq}>
                <th scope="row">
                  #{snapshot.seq} <span className="muted">{formatDateTime(snapshot.startedAt)}</span>
                </th>
                {series.map((line) => (
                  <td key={line.name} className="number">
                    {line.counts[index] === null ? '—' : formatCount(line.counts[index] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
