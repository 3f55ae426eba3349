// Calendar dates as `YYYY-MM-DD` strings: reading what a person typed, today, and moving by days.

/**
 * A typed date as `YYYY-MM-DD`, or null when it is not a real date. Takes what either language
 * writes: 15.12.2026, 15.12.26, 15.12 (this year), 15/12/2026, 2026-12-15.
 */
export function parseDate(text: string, today: Date = new Date()): string | null {
  const s = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = /^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$/.exec(s);
    if (!match) return null;
    [d, m] = [Number(match[1]), Number(match[2])];
    y = match[3] === undefined ? today.getFullYear() : match[3].length === 2 ? 2000 + Number(match[3]) : Number(match[3]);
  }
  const at = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2999 || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return null;
  return at.toISOString().slice(0, 10);
}

/** Today on this computer's calendar, as `YYYY-MM-DD`. */
export function today(now: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

/** A `YYYY-MM-DD` date moved by `days` on the calendar. */
export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The same day `months` earlier (the month's last day when that month is shorter). */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 - months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 - months, Math.min(d, last))).toISOString().slice(0, 10);
}
