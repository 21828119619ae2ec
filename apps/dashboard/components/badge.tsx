import type { ReactNode } from 'react';

export type Tone = 'ok' | 'failed' | 'running' | 'neutral' | 'warning';

/** A state in a word, with its meaning in the text as well as the colour. */
export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
