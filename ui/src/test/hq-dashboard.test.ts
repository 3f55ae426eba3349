import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Dashboard from '../screens/hq/Dashboard.svelte';
import { setLang } from '../i18n/index.svelte';
import { go, nav } from '../lib/state.svelte';
import { resetBoard } from '../lib/hq/workspace.svelte';
import type { Filter } from '../api/bindings/Filter';
import type { Focus } from '../api/bindings/Focus';
import { chainStores, dashboard, defaultFilter, drill, options, scoreOf, storeCode } from './hq-fixture';

type Asked = { cmd: string; args: Record<string, unknown> };

/** The HQ backend with the 300-store chain; records what the overview asks. */
function mockHq(asked: Asked[], opts = options()) {
  mockIPC((cmd, args) => {
    asked.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'hq_options') return opts;
    if (cmd === 'hq_dashboard') return dashboard((args as { filter: Filter }).filter);
    if (cmd === 'hq_drill') return drill();
    return null;
  });
}

const dashboards = (asked: Asked[]) => asked.filter((a) => a.cmd === 'hq_dashboard').map((a) => a.args.filter as Filter);
const drills = (asked: Asked[]) => asked.filter((a) => a.cmd === 'hq_drill').map((a) => a.args as { filter: Filter; focus: Focus });
const spaces = (s: string | null | undefined) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

async function shown(asked: Asked[]) {
  render(Dashboard);
  await waitFor(() => expect(screen.getByTestId('hq-headline-audits')).toBeTruthy());
  await waitFor(() => expect(screen.getAllByTestId('hq-rank-bar').length).toBeGreaterThan(0));
  return asked;
}

beforeEach(() => {
  resetBoard();
  go('hq-dashboard', null);
});

describe('HQ overview', () => {
  it('shows the headline and every chart for a chain of 300 stores, in the UI\u2019s language', async () => {
    setLang('ru');
    const asked: Asked[] = [];
    mockHq(asked);
    await shown(asked);
    // The figures come from the one request, for the 4 weeks up to the last shift HQ holds.
    await waitFor(() => expect(dashboards(asked)).toEqual([defaultFilter()]));

    expect(spaces(screen.getByTestId('hq-headline-audits').textContent)).toBe('Проверки 1 234 +34 к прошлому периоду');
    expect(spaces(screen.getByTestId('hq-headline-score').textContent)).toBe('Средний балл 82,4 % +2,3 п. п. к прошлому периоду');
    expect(spaces(screen.getByTestId('hq-headline-hard').textContent)).toContain('37 из 1 234 проверок');
    expect(spaces(screen.getByTestId('hq-headline-actions').textContent)).toContain('просрочено: 12');
    expect(spaces(screen.getByTestId('hq-headline-stores').textContent)).toBe('Магазины без проверок 6 из 300 магазинов');

    // Ranking: with hundreds of stores, the bottom 10 (worst first) and the top 10 as bars.
    const audited = chainStores().filter((s) => s.average_score !== null);
    const bottom = within(screen.getByTestId('hq-ranking-bottom')).getAllByTestId('hq-rank-bar');
    const top = within(screen.getByTestId('hq-ranking-top')).getAllByTestId('hq-rank-bar');
    expect(bottom).toHaveLength(10);
    expect(top).toHaveLength(10);
    const worst = audited[audited.length - 1];
    expect(bottom[0].getAttribute('aria-label')).toContain(`${worst.code} · ${worst.name}`);
    expect(top[0].getAttribute('aria-label')).toContain(audited[0].code);
    expect(bottom[0].getAttribute('role'), 'a bar is a button for the keyboard and screen readers').toBe('button');
    expect(bottom[0].getAttribute('tabindex')).toBe('0');
    // …and every store in a table that sorts.
    await fireEvent.click(screen.getByTestId('hq-rank-all'));
    const rows = screen.getAllByTestId('hq-rank-row');
    expect(rows).toHaveLength(300);
    expect(rows[0].dataset.code, 'weakest first').toBe(worst.code);
    expect(rows[299].dataset.code, 'not audited last').toBe(storeCode(250));

    // Trend: seven regions are too many to tell apart, so the chain's line is drawn (a point a
    // week) over quiet region lines, and one region is highlighted at a time, with its points.
    expect(screen.getAllByTestId('hq-trend-total')).toHaveLength(12);
    expect(screen.queryAllByTestId('hq-trend-point')).toHaveLength(0);
    const highlight = screen.getByTestId('hq-trend-highlight') as HTMLSelectElement;
    expect([...highlight.options].map((o) => o.value).filter(Boolean)).toHaveLength(7);
    await fireEvent.change(highlight, { target: { value: 'Сибирь' } });
    await waitFor(() => expect(screen.getAllByTestId('hq-trend-point')).toHaveLength(12));
    expect(screen.getAllByTestId('hq-trend-point').every((p) => p.getAttribute('aria-label')?.startsWith('Сибирь,'))).toBe(true);
    // Heat map: a cell per region and section.
    expect(screen.getAllByTestId('hq-heat-cell')).toHaveLength(7 * 8);
    const noRegion = screen.getAllByTestId('hq-heat-cell').find((c) => c.dataset.row === '');
    expect(noRegion?.getAttribute('aria-label')).toMatch(/^без региона · /);
    // Pareto: the 15 requirements failed most often, hard ones marked; the hard ones apart.
    const pareto = screen.getAllByTestId('hq-pareto-bar');
    expect(pareto).toHaveLength(15);
    expect(spaces(pareto[1].getAttribute('aria-label'))).toContain('(жёсткое требование): 290 нарушений, 29,0 % из 1 000 ответов');
    expect(screen.getAllByTestId('hq-hard-bar').length).toBe(6);
    expect(screen.getByTestId('hq-overdue').textContent).toContain('21 день');
  });

  it('asks for the audits behind a heat cell, a Pareto bar, a ranked store and a trend point, with the filter', async () => {
    setLang('en');
    const asked: Asked[] = [];
    mockHq(asked);
    await shown(asked);
    const filter = defaultFilter();

    const cell = screen.getAllByTestId('hq-heat-cell').find((c) => c.dataset.row === 'Урал' && c.dataset.section === 'Приветствие');
    await fireEvent.click(cell as HTMLElement);
    await waitFor(() => expect(drills(asked)).toHaveLength(1));
    expect(drills(asked)[0]).toEqual({ filter, focus: { kind: 'cell', rows: 'region', row: 'Урал', section: 'Приветствие' } });
    await waitFor(() => expect(screen.getByTestId('hq-drill-total').textContent).toBe('812 audits'));
    expect(screen.getByTestId('hq-drill').textContent).toContain('the newest 3 shown');

    await fireEvent.click(screen.getAllByTestId('hq-pareto-bar')[2]);
    await waitFor(() => expect(drills(asked)).toHaveLength(2));
    expect(drills(asked)[1]).toEqual({ filter, focus: { kind: 'requirement', code: '3.1' } });

    const worst = within(screen.getByTestId('hq-ranking-bottom')).getAllByTestId('hq-rank-bar')[0];
    // The keyboard does what the mouse does.
    await fireEvent.keyDown(worst, { key: 'Enter' });
    await waitFor(() => expect(drills(asked)).toHaveLength(3));
    const stores = chainStores().filter((s) => s.average_score !== null);
    expect(drills(asked)[2]).toEqual({ filter, focus: { kind: 'store', code: stores[stores.length - 1].code } });

    await fireEvent.change(screen.getByTestId('hq-trend-highlight'), { target: { value: 'Сибирь' } });
    await waitFor(() => expect(screen.getAllByTestId('hq-trend-point').length).toBeGreaterThan(0));
    const point = screen.getAllByTestId('hq-trend-point').find((p) => p.getAttribute('aria-label')?.startsWith('Сибирь, week 40, 2026'));
    await fireEvent.click(point as Element);
    await waitFor(() => expect(drills(asked)).toHaveLength(4));
    expect(drills(asked)[3]).toEqual({ filter, focus: { kind: 'week', week: '2026-W40', series: 'Сибирь' } });
    // The chain's point of a week: every audit of that week in the filter.
    const chainPoint = screen.getAllByTestId('hq-trend-total').find((p) => p.getAttribute('aria-label')?.includes('week 41, 2026'));
    expect(chainPoint?.getAttribute('aria-label')).toMatch(/^The whole chain, week 41, 2026: /);
    await fireEvent.click(chainPoint as Element);
    await waitFor(() => expect(drills(asked)).toHaveLength(5));
    expect(drills(asked)[4]).toEqual({ filter, focus: { kind: 'week', week: '2026-W41', series: null } });

    await fireEvent.click(screen.getByTestId('hq-headline-audits'));
    await waitFor(() => expect(drills(asked)).toHaveLength(6));
    expect(drills(asked)[5].focus).toEqual({ kind: 'audits' });

    // A row of the drill panel opens the audit.
    await waitFor(() => expect(screen.getAllByTestId('hq-drill-row')).toHaveLength(3));
    const row = screen.getAllByTestId('hq-drill-row')[1];
    expect(row.textContent).toContain('reviewed');
    await fireEvent.click(row);
    expect([nav.screen, nav.audit]).toEqual(['hq-audit', 'audit-2']);
  });

  it('sends the filter as it is set: period preset, region, a store of that region, standard version', async () => {
    setLang('ru');
    const asked: Asked[] = [];
    mockHq(asked);
    await shown(asked);
    const last = () => dashboards(asked)[dashboards(asked).length - 1];

    await fireEvent.click(screen.getByTestId('hq-preset-week'));
    await waitFor(() => expect(last()).toEqual({ ...defaultFilter(), from: '2026-11-14', to: '2026-11-20' }));
    await fireEvent.click(screen.getByTestId('hq-preset-quarter'));
    await waitFor(() => expect(last()).toMatchObject({ from: '2026-08-21', to: '2026-11-20' }));

    const region = screen.getByTestId('hq-region') as HTMLSelectElement;
    expect(Array.from(region.options).map((o) => o.textContent)).toContain('без региона');
    await fireEvent.change(region, { target: { value: 'Урал' } });
    await waitFor(() => expect(last()).toMatchObject({ region: 'Урал', store: null }));

    // Only the region's stores are offered; a store of another region is not taken.
    const offered = Array.from(document.querySelectorAll('#hq-store-options option')).map((o) => (o as HTMLOptionElement).value);
    expect(offered.length).toBe(43);
    expect(offered.every((v) => /^S\d{3} · /.test(v))).toBe(true);
    const store = screen.getByTestId('hq-store') as HTMLInputElement;
    await fireEvent.input(store, { target: { value: 'S001' } });
    await fireEvent.change(store, { target: { value: 'S001' } });
    expect(last().store, 'S001 is in another region').toBeNull();
    await fireEvent.input(store, { target: { value: 's009' } });
    await waitFor(() => expect(last()).toMatchObject({ region: 'Урал', store: 'S009' }));
    // Typing part of a name picks the one store it matches.
    await fireEvent.change(store, { target: { value: '№16 —' } });
    await waitFor(() => expect(last().store).toBe('S016'));
    expect(store.value).toBe('S016 · Магазин №16 — Казань, ТЦ «Гринвич»');

    await fireEvent.change(screen.getByTestId('hq-standard'), { target: { value: 'std-2' } });
    await waitFor(() => expect(last()).toEqual({ from: '2026-08-21', to: '2026-11-20', region: 'Урал', store: 'S016', standard: 'std-2' }));

    // Another region drops a store that is not in it.
    await fireEvent.change(region, { target: { value: '' } });
    await waitFor(() => expect(last()).toMatchObject({ region: '', store: null }));

    // Dates typed as the language writes them make the period custom.
    const from = screen.getByTestId('hq-from') as HTMLInputElement;
    await fireEvent.input(from, { target: { value: '01.10.2026' } });
    await waitFor(() => expect(last()).toMatchObject({ from: '2026-10-01', to: '2026-11-20' }));
    expect(screen.getByTestId('hq-preset-custom').getAttribute('aria-pressed')).toBe('true');
    expect(scoreOf(16)).not.toBeNull();
  });

  it('points to Import when HQ holds no audit yet', async () => {
    setLang('en');
    const asked: Asked[] = [];
    mockHq(asked, { regions: [], stores: [], standards: [], first: null, last: null });
    render(Dashboard);
    await waitFor(() => expect(screen.getByTestId('hq-empty')).toBeTruthy());
    expect(screen.getByTestId('hq-empty').textContent).toContain('No audits at HQ yet');
    expect(dashboards(asked), 'nothing to ask for').toEqual([]);
    await fireEvent.click(screen.getByTestId('hq-empty-import'));
    expect(nav.screen).toBe('hq-import');
  });

  it('exports the filtered audits where the analyst chooses and says what was written', async () => {
    setLang('en');
    const asked: Asked[] = [];
    mockIPC((cmd, args) => {
      asked.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === 'hq_options') return options();
      if (cmd === 'hq_dashboard') return dashboard();
      if (cmd === 'plugin:dialog|save') return '/home/qa/chain.xlsx';
      if (cmd === 'hq_export') return { files: ['/home/qa/chain.xlsx'], audits: 1234 };
      return null;
    });
    await shown(asked);
    await fireEvent.click(screen.getByTestId('hq-export-xlsx'));
    await waitFor(() => expect(screen.getByTestId('hq-exported').textContent).toContain('1,234 audits exported'));
    expect(asked.find((a) => a.cmd === 'hq_export')?.args).toEqual({ format: 'xlsx', path: '/home/qa/chain.xlsx', filter: defaultFilter() });
  });
});
