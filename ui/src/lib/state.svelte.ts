// What every screen shares: where we are and the error on show.
import type { IpcError } from '../api/bindings/IpcError';
import { asIpcError } from '../api';

export type Screen =
  | 'home'
  | 'form'
  | 'summary'
  | 'standards'
  | 'stores'
  | 'verify'
  | 'send'
  // The HQ workspace: the chain's overview, importing the stores' files, one audit (nav.audit).
  | 'hq-dashboard'
  | 'hq-import'
  | 'hq-audit';

export const nav = $state<{ screen: Screen; audit: string | null; focus: string | null }>({
  screen: 'home',
  audit: null,
  focus: null,
});

export const errors = $state<{ current: IpcError | null }>({ current: null });

/** The audit whose completion was just refused: its form says what is still missing. */
export const completion = $state<{ refused: string | null }>({ refused: null });

export function go(screen: Screen, audit: string | null = nav.audit, focus: string | null = null): void {
  nav.screen = screen;
  nav.audit = audit;
  nav.focus = focus;
  document.body.dataset.screen = screen;
}

/** Shows a failed command's message; returns null so callers can `?? fallback`. */
export function showError(e: unknown): null {
  errors.current = asIpcError(e);
  return null;
}

/** Runs a command, showing its error if it fails. */
export async function attempt<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    return showError(e);
  }
}
