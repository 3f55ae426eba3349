// The one colour scale for scores on the HQ screens: every chart, cell and card takes its colour
// from here, so a score looks the same wherever it is shown.

/** Below this percentage a score is poor (red). */
export const SCORE_LOW = 70;
/** From this percentage a score is good (green); in between it is amber. */
export const SCORE_HIGH = 85;

export type Band = 'low' | 'mid' | 'high' | 'none';

/** Which band a score (a percentage, or null for no score) falls in. */
export function band(score: number | null): Band {
  if (score === null) return 'none';
  if (score < SCORE_LOW) return 'low';
  if (score < SCORE_HIGH) return 'mid';
  return 'high';
}

/** A band's colours: `strong` for marks (bars, dots), `soft` and `ink` for a cell's background and text. */
export const BAND_COLOURS: Record<Band, { strong: string; soft: string; ink: string }> = {
  low: { strong: '#c8453c', soft: '#f7d9d6', ink: '#7f1d17' },
  mid: { strong: '#d39a2c', soft: '#f9e8c4', ink: '#6b4600' },
  high: { strong: '#2e8b57', soft: '#d5eddd', ink: '#14502e' },
  none: { strong: '#aab3af', soft: '#eef0ef', ink: '#66706c' },
};

/** The colour of a mark for `score`. */
export function scoreColour(score: number | null): string {
  return BAND_COLOURS[band(score)].strong;
}

/** Inline style for an HTML cell or badge showing `score`. */
export function scoreStyle(score: number | null): string {
  const c = BAND_COLOURS[band(score)];
  return `background:${c.soft};color:${c.ink}`;
}

/** Inline style for a score written in its band's colour (a headline figure, an audit's result). */
export function scoreInk(score: number | null): string {
  return `color:${BAND_COLOURS[band(score)].ink}`;
}
