// What the HQ screens share: the workspace (which HQ database is open) and the overview's filter
// and drill-down, kept here so that returning from an audit finds them as they were left.
import type { WorkspaceInfo } from '../../api/bindings/WorkspaceInfo';
import type { Filter } from '../../api/bindings/Filter';
import type { Focus } from '../../api/bindings/Focus';
import type { Drill } from '../../api/bindings/Drill';
import type { Dashboard } from '../../api/bindings/Dashboard';
import type { Options } from '../../api/bindings/Options';
import type { RowKind } from '../../api/bindings/RowKind';
import { hq, pickHqDatabase, pickNewHqDatabase } from '../../api';
import { t, addDays } from '../../i18n/index.svelte';
import { monthsBefore } from '../dates';
import { attempt, go } from '../state.svelte';

export const workspace = $state<{ info: WorkspaceInfo | null; connecting: boolean }>({ info: null, connecting: false });

/** The period presets: each ends on the day the presets are anchored to. */
export type Preset = 'week' | 'weeks4' | 'month' | 'quarter' | 'custom';

export interface DrillState {
  focus: Focus;
  /** The filter it was asked with. */
  filter: Filter;
  result: Drill | null;
}

export const board = $state<{
  options: Options | null;
  filter: Filter | null;
  preset: Preset;
  dashboard: Dashboard | null;
  drill: DrillState | null;
}>({ options: null, filter: null, preset: 'weeks4', dashboard: null, drill: null });

/** Forgets the overview's filter and drill-down (another HQ database was opened). */
export function resetBoard(): void {
  board.options = null;
  board.filter = null;
  board.preset = 'weeks4';
  board.dashboard = null;
  board.drill = null;
}

/** The period a preset covers, ending on `end` (inclusive). */
export function presetRange(preset: Exclude<Preset, 'custom'>, end: string): { from: string; to: string } {
  if (preset === 'week') return { from: addDays(end, -6), to: end };
  if (preset === 'weeks4') return { from: addDays(end, -27), to: end };
  return { from: addDays(monthsBefore(end, preset === 'month' ? 1 : 3), 1), to: end };
}

/** A region as shown: `""` or none is the stores without a region. */
export function regionLabel(region: string | null): string {
  return region ? region : t('dash.noRegion');
}

/** An ISO week `2026-W47` as shown: «нед. 47, 2026» / "week 47, 2026". */
export function weekLabel(week: string): string {
  const m = /^(\d{4})-W(\d{1,2})$/.exec(week);
  return m ? t('dash.weekShort', { week: Number(m[2]), year: m[1] }) : week;
}

/** Opens an existing HQ database (`open`) or makes a new one (`new`), chosen in a dialog. */
export async function chooseDatabase(how: 'open' | 'new'): Promise<void> {
  const path = how === 'open' ? await pickHqDatabase(t('hq.db.openTitle')) : await pickNewHqDatabase(t('hq.db.newTitle'));
  if (!path) return;
  const info = await attempt(hq.open(path));
  if (!info) return;
  workspace.info = info;
  if (!info.error) {
    resetBoard();
    go('hq-dashboard', null);
  }
}

/** Opens the HQ database on a PostgreSQL server (`postgres://user[:password]@host[:port]/db`). */
export async function connectPostgres(url: string): Promise<void> {
  const info = await attempt(hq.open(url.trim()));
  if (!info) return;
  workspace.info = info;
  if (!info.error) {
    workspace.connecting = false;
    resetBoard();
    go('hq-dashboard', null);
  }
}

/** Whether `at` names a PostgreSQL database rather than a file. */
export function isPostgres(at: string): boolean {
  return /^postgres(ql)?:\/\//.test(at);
}

/** Reads the workspace again (after an import: the counts have changed). */
export async function refreshWorkspace(): Promise<void> {
  const info = await attempt(hq.workspace());
  if (info) workspace.info = info;
}

/** A path's last part, whichever separator the system uses. */
export function fileName(path: string): string {
  if (isPostgres(path)) {
    // postgres://user@host:port/db → «db @ host»
    const m = /^[a-z]+:\/\/(?:[^@/]*@)?([^/:?]+)[^/]*\/([^?]+)/.exec(path);
    return m ? `${m[2]} @ ${m[1]}` : path;
  }
  return path.split(/[\\/]/).pop() || path;
}

/** A store's code and name, as the filters know it. */
export function storeLabel(code: string): string {
  const store = board.options?.stores.find((s) => s.code === code);
  return store ? `${code} · ${store.name}` : code;
}

/** A row of the heat map, or a line of the trend, in words. */
export function rowLabel(rows: RowKind, row: string): string {
  if (rows === 'region') return regionLabel(row);
  if (rows === 'store') return storeLabel(row);
  return weekLabel(row);
}
