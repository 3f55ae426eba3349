// A chain as HQ sees it, for the HQ screens' tests: 300 stores in six regions (and a few with
// none), eight sections, twelve weeks, with long Russian names.
import type { Dashboard } from '../api/bindings/Dashboard';
import type { Filter } from '../api/bindings/Filter';
import type { Options } from '../api/bindings/Options';
import type { StoreRow } from '../api/bindings/StoreRow';
import type { HeatCell } from '../api/bindings/HeatCell';
import type { TrendPoint } from '../api/bindings/TrendPoint';
import type { RequirementRow } from '../api/bindings/RequirementRow';
import type { HqAuditView } from '../api/bindings/HqAuditView';
import type { Drill } from '../api/bindings/Drill';
import type { WorkspaceInfo } from '../api/bindings/WorkspaceInfo';
import type { Verification } from '../api/bindings/Verification';

export const REGIONS = ['Центр', 'Северо-Запад', 'Урал', 'Сибирь', 'Юг', 'Поволжье', ''];
export const SECTIONS = [
  'Подготовка к открытию',
  'Внешний вид',
  'Приветствие',
  'Выявление потребностей',
  'Презентация товара',
  'Работа с возражениями',
  'Дополнительная продажа',
  'Расчёт и прощание',
];
const CITIES = ['Екатеринбург', 'Санкт-Петербург', 'Новосибирск', 'Ростов-на-Дону', 'Казань', 'Москва'];

export const storeCode = (i: number) => `S${String(i).padStart(3, '0')}`;
export const regionOf = (i: number) => REGIONS[i % REGIONS.length];

/** Store i's average score: spread over 55–99.9; every 50th store is not audited. */
export function scoreOf(i: number): number | null {
  if (i % 50 === 0) return null;
  return Math.round((55 + ((i * 37) % 450) / 10) * 10) / 10;
}

export function chainStores(n = 300): StoreRow[] {
  const rows: StoreRow[] = [];
  for (let i = 0; i < n; i++) {
    const score = scoreOf(i);
    rows.push({
      code: storeCode(i),
      name: `Магазин №${i} — ${CITIES[i % CITIES.length]}, ТЦ «Гринвич»`,
      region: regionOf(i) || null,
      audits: score === null ? 0 : 3 + (i % 5),
      average_score: score,
      previous_score: score === null ? null : score - 2,
      change: score === null ? null : i % 3 === 0 ? -3.4 : 2,
      failed_hard: i % 11 === 0 ? 1 : 0,
    });
  }
  // Best average first, not audited last, as the backend sends them.
  return rows.sort((a, b) => (b.average_score ?? -1) - (a.average_score ?? -1));
}

export function requirements(): RequirementRow[] {
  return Array.from({ length: 25 }, (_, i) => ({
    code: `${1 + (i % 8)}.${1 + Math.floor(i / 8)}`,
    text: `Требование номер ${i + 1}: продавец предлагает сопутствующий товар не более трёх раз`,
    section: SECTIONS[i % 8],
    hard: i % 4 === 1,
    answered: 1000,
    failed: 300 - i * 10,
    fail_rate: (300 - i * 10) / 10,
  }));
}

export function dashboard(filter: Filter = defaultFilter()): Dashboard {
  const weeks = Array.from({ length: 12 }, (_, w) => ({ week: `2026-W${String(36 + w).padStart(2, '0')}`, monday: mondayOf(36 + w) }));
  const trend: TrendPoint[] = [];
  for (const region of REGIONS) {
    for (const [w, { week, monday }] of weeks.entries()) {
      trend.push({ week, monday, series: region, audits: 20 + w, average_score: 70 + ((w * 3 + region.length) % 20) });
    }
  }
  // What the lines sum to, week by week (an audit-weighted mean, as the server's is).
  const trendTotal: TrendPoint[] = weeks.map(({ week, monday }) => {
    const of = trend.filter((p) => p.week === week);
    const audits = of.reduce((n, p) => n + p.audits, 0);
    const sum = of.reduce((n, p) => n + (p.average_score ?? 0) * p.audits, 0);
    return { week, monday, series: '', audits, average_score: Math.round((sum / audits) * 10) / 10 };
  });
  const cells: HeatCell[] = [];
  for (const [r, region] of REGIONS.entries()) {
    for (const [s, section] of SECTIONS.entries()) {
      cells.push({ row: region, section, audits: 40, average_score: 60 + ((r * 7 + s * 5) % 40), findings: 12 });
    }
  }
  return {
    filter,
    today: '2026-11-22',
    headline: {
      period: { audits: 1234, average_score: 82.4, failed_hard: 37, failed_hard_share: 3, findings: 2100 },
      previous: { audits: 1200, average_score: 80.1, failed_hard: 42, failed_hard_share: 3.5, findings: 2300 },
      previous_from: '2026-09-26',
      previous_to: '2026-10-23',
      stores: 300,
      not_audited: 6,
      open_actions: 48,
      overdue_actions: 12,
    },
    trend,
    trend_total: trendTotal,
    stores: chainStores(),
    heat: { rows: 'region', sections: SECTIONS, cells },
    requirements: requirements(),
    overdue: [
      {
        id: 'act1',
        audit_id: 'audit-42',
        store: 'S042',
        store_name: 'Магазин №42 — Екатеринбург, ТЦ «Гринвич»',
        region: 'Центр',
        code: '3.2',
        what: 'Провести тренинг по приветствию для всех продавцов смены',
        owner: 'Ирина Петрова',
        due: '2026-11-01',
        days_overdue: 21,
      },
    ],
  };
}

function mondayOf(week: number): string {
  // 2026-W01 starts on Monday 2025-12-29.
  const at = new Date(Date.UTC(2025, 11, 29 + (week - 1) * 7));
  return at.toISOString().slice(0, 10);
}

export function options(): Options {
  return {
    regions: REGIONS,
    stores: chainStores().map((s) => ({ code: s.code, name: s.name, region: s.region })),
    standards: [
      { id: 'std-1', code: 'FASHION-01', version: '1', title: 'Стандарт обслуживания', audits: 800 },
      { id: 'std-2', code: 'FASHION-01', version: '2', title: 'Стандарт обслуживания', audits: 434 },
    ],
    first: '2026-01-05',
    last: '2026-11-20',
  };
}

/** The filter the overview starts with: the 4 weeks up to the last shift HQ holds. */
export function defaultFilter(): Filter {
  return { from: '2026-10-24', to: '2026-11-20', region: null, store: null, standard: null };
}

export function drill(n = 3): Drill {
  return {
    total: 812,
    audits: Array.from({ length: n }, (_, i) => ({
      id: `audit-${i + 1}`,
      store: storeCode(i + 1),
      store_name: `Магазин №${i + 1} — Санкт-Петербург, ТЦ «Гринвич»`,
      region: 'Северо-Запад',
      shift_date: '2026-11-1' + i,
      shift: 'opening',
      auditor: 'Анна Смирнова',
      status: 'signed',
      score: 64.5 + i * 10,
      rating: i === 0 ? 'failed_hard' : 'good',
      hard_failures: i === 0 ? ['1.2'] : [],
      findings: 4 - i,
      standard: 'FASHION-01',
      version: '2',
      reviewed: i === 1,
    })),
  };
}

export function workspaceInfo(mode: 'store' | 'hq'): WorkspaceInfo {
  return {
    mode,
    hq_path: '/home/qa/StoreCheck/hq.db',
    hq: mode === 'hq' ? { path: '/home/qa/StoreCheck/hq.db', audits: 1234, stores: 300, devices: 310, bundles: 2400 } : null,
    error: null,
  };
}

export function auditView(): HqAuditView {
  return {
    id: 'audit-2',
    store: 'S002',
    store_name: 'Магазин №2 — Санкт-Петербург, ТЦ «Гринвич»',
    region: 'Северо-Запад',
    shift_date: '2026-11-12',
    shift: 'evening',
    auditor: 'Анна Смирнова',
    observed: 'Олег Иванов',
    status: 'signed',
    score: 74.5,
    rating: 'failed_hard',
    hard_failures: ['1.2'],
    standard: 'FASHION-01',
    version: '2',
    standard_title: 'Стандарт обслуживания',
    completed_at: '2026-11-12T17:40:00Z',
    device: 'Ноутбук магазина S002',
    revision_of: 'audit-1',
    revision_reason: 'неверно указана смена',
    current: true,
    sections: [
      {
        title: 'Внешний вид',
        score: 50,
        answers: [
          {
            code: '1.1',
            text: 'Бейдж на месте, у стажёров — «Стажер»',
            kind: 'check',
            hard: false,
            response: 'pass',
            value: null,
            answer_text: null,
            note: null,
            score: 1,
            finding: false,
            photos: [{ sha256: 'a'.repeat(64), format: 'jpeg', caption: 'Бейдж', width: 1600, height: 1200, held: true }],
          },
          {
            code: '1.2',
            text: 'Сотрудники приходят за 30 минут до открытия',
            kind: 'check',
            hard: true,
            response: 'fail',
            value: null,
            answer_text: null,
            note: 'Двое пришли за 5 минут',
            score: 0,
            finding: true,
            photos: [{ sha256: 'b'.repeat(64), format: 'png', caption: 'Журнал прихода', width: 800, height: 600, held: false }],
          },
        ],
      },
      {
        title: 'Выявление потребностей',
        score: 100,
        answers: [
          {
            code: '2.1',
            text: 'Не менее четырёх вопросов для выявления потребности',
            kind: 'number',
            hard: false,
            response: 'value',
            value: 5,
            answer_text: null,
            note: null,
            score: 1,
            finding: false,
            photos: [],
          },
        ],
      },
    ],
    actions: [
      { id: 'x1', code: '1.2', what: 'Провести беседу о времени прихода', owner: 'Управляющий', due: '2026-11-15', due_now: '2026-11-30', done_at: null, state: 'overdue', followups: [] },
      { id: 'x2', code: '1.1', what: 'Заказать бейджи', owner: 'Администратор', due: '2026-11-20', due_now: '2026-11-20', done_at: '2026-11-18T09:00:00Z', state: 'done', followups: [] },
    ],
    revisions: [
      { id: 'audit-1', status: 'signed', score: 70, completed_at: '2026-11-12T16:00:00Z', revision_reason: null, current: false },
      { id: 'audit-2', status: 'signed', score: 74.5, completed_at: '2026-11-12T17:40:00Z', revision_reason: 'неверно указана смена', current: true },
    ],
    report: { id: 'r2', signer: 'Анна Смирнова', signed_at: '2026-11-12T17:41:00Z', lang: 'ru', acknowledged_by: 'Олег Иванов', pdf_bytes: 480000, held: true },
    pdf_data: 'matches',
    reviews: [{ id: 'rv1', reviewer: 'Мария Кузнецова', comment: 'Обсудили на планёрке', created_at: '2026-11-13T08:00:00Z' }],
  };
}

export function intact(): Verification {
  return {
    valid: true,
    signer: null,
    signed_at: '2026-11-12T17:41:00Z',
    trusted: null,
    problem: null,
    claimed_signer: 'Анна Смирнова',
    identity: 'подписано сертификатом, который называет себя «Анна Смирнова»',
    certificate: null,
    trust_problem: null,
    signatures: [],
    data: 'intact',
    data_audit: 'audit-2',
    data_problem: null,
  };
}
