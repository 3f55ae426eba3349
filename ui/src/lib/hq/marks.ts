// Plot marks a person can act on: each bar, dot or cell becomes a button for the mouse, the
// keyboard (Tab, Enter, Space) and a screen reader (its aria-label, also shown as a tooltip).
import type { RenderFunction } from '@observablehq/plot';

export interface Pickable<T> {
  /** What the mark says: read aloud and shown on hover. */
  label: (d: T) => string;
  /** What choosing it does. */
  pick: (d: T) => void;
  /** The `data-testid` of every mark. */
  testid?: string;
}

/** A render transform that makes the mark's elements (one per datum of `data`) pickable. */
export function pickable<T>(data: T[], how: Pickable<T>): RenderFunction {
  return (index, scales, values, dimensions, context, next) => {
    const g = next?.(index, scales, values, dimensions, context) ?? null;
    if (!g) return g;
    Array.from(g.children).forEach((el, i) => {
      const d = data[index[i]];
      if (d === undefined) return;
      const label = how.label(d);
      el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', label);
      el.setAttribute('class', 'pick');
      if (how.testid) el.setAttribute('data-testid', how.testid);
      const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.textContent = label;
      el.append(title);
      el.addEventListener('click', () => how.pick(d));
      el.addEventListener('keydown', (e) => {
        const key = (e as KeyboardEvent).key;
        if (key === 'Enter' || key === ' ') {
          e.preventDefault();
          how.pick(d);
        }
      });
    });
    return g;
  };
}

/** `text` cut to `max` characters with an ellipsis, for axis labels (the whole text is on the mark). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
