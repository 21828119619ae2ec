/** A labelled progress bar; screen readers read the label and the percentage. */
export function ProgressBar({ percent, label, tone = 'running' }: { percent: number; label: string; tone?: 'running' | 'done' }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className={`progress progress-${tone}`}>
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={`${value}%`}>
        <div className="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-value" aria-hidden="true">
        {value}%
      </span>
    </div>
  );
}
