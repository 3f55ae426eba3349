// The real StoreCheck app, driven through tauri-driver and WebKitWebDriver (run under Xvfb by
// scripts/test.sh): a first start, a whole audit filled with the keyboard alone, its score
// checked against the command line, completion, and an answer that survives a killed app.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, mkdirSync, writeFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, KEYS } from './webdriver.mjs';

const root = resolve(import.meta.dirname, '../..');
const app = join(root, 'target/debug/storecheck-app');
const cli = join(root, 'target/debug/storecheck');
const shots = join(root, 'target/e2e-screenshots');
const dir = mkdtempSync(join(tmpdir(), 'storecheck-e2e-'));
const db = join(dir, 'e2e.db');
const port = 4444;
let driver;

function storecheck(...args) {
  return JSON.parse(execFileSync(cli, ['--db', db, '--json', ...args], { encoding: 'utf8' }));
}

function startDriver(lang = 'ru_RU.UTF-8', database = db) {
  const bin = process.env.TAURI_DRIVER ?? join(homedir(), '.cargo/bin/tauri-driver');
  const child = spawn(bin, ['--port', String(port)], {
    detached: true, // its own process group, so WebKitWebDriver goes with it
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      STORECHECK_DB: database,
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      WEBKIT_DISABLE_DMABUF_RENDERER: '1',
      LANG: lang,
    },
  });
  return child;
}

async function openApp() {
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20000;
  for (;;) {
    try {
      return await Session.create(base, { 'tauri:options': { application: app } });
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Everything on screen whose text does not fit: clipped or "…"-ended boxes without the full text
 * on hover (a title), buttons whose label spills out, and fields whose placeholder, value or
 * chosen option is wider than the field.
 */
async function cutText(s) {
  return s.exec(`
    const out = [];
    const canvas = document.createElement('canvas').getContext('2d');
    const width = (el, text) => {
      const cs = getComputedStyle(el);
      canvas.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
      return canvas.measureText(text).width;
    };
    const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : el.className ? '.' + String(el.className).split(' ')[0] : '');
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      // Text for screen readers only (1 px, clipped on purpose).
      if (box.width <= 1 || box.height <= 1 || el.closest('.sr-only')) continue;
      if (el.closest('[title]')) continue; // the full text is on hover
      const cs = getComputedStyle(el);
      if (['INPUT', 'TEXTAREA'].includes(el.tagName)) {
        if (el.type === 'file' || el.type === 'checkbox') continue;
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        for (const text of [el.placeholder, el.tagName === 'INPUT' ? el.value : '']) {
          if (text && width(el, text) > room + 1) out.push(name(el) + ': «' + text + '»');
        }
        continue;
      }
      if (el.tagName === 'SELECT') {
        const text = el.selectedOptions[0]?.textContent ?? '';
        if (width(el, text) > el.clientWidth - 34) out.push(name(el) + ': «' + text + '»');
        continue;
      }
      const text = el.textContent.trim();
      if (!text) continue;
      const clips = cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis';
      const spills = el.tagName === 'BUTTON' || el.classList.contains('chip');
      if ((clips || spills) && el.scrollWidth > el.clientWidth + 1) out.push(name(el) + ': «' + text.slice(0, 80) + '»');
    }
    return out;
  `);
}

/** The answer controls stand in one column from row to row, whatever each row offers. */
async function assertOneColumn(s) {
  const x = (css, side) => s.exec(`return [...document.querySelectorAll('[data-testid="requirement"] ${css}')].map((c) => Math.round(c.getBoundingClientRect().${side}))`);
  const ends = await x('.controls', 'right');
  assert.equal(new Set(ends).size, 1, `controls end at the same x on every row: ${ends}`);
  const na = await x('.na-slot', 'x');
  assert.equal(new Set(na).size, 1, `N/A stands in one column: ${na}`);
}

async function assertNothingCut(s, where) {
  const cut = await cutText(s);
  assert.deepEqual(cut, [], `text cut on ${where}`);
}

// WebKitWebDriver's own screenshot hangs under Xvfb here; the X server's picture is the same.
async function shot(_s, name) {
  mkdirSync(shots, { recursive: true });
  await new Promise((r) => setTimeout(r, 150)); // let the last frame paint
  execFileSync('import', ['-window', 'root', join(shots, `${name}.png`)]);
}

before(() => {
  driver = startDriver();
});

after(() => {
  try {
    process.kill(-driver.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
});

test('first start, the demo, and a whole audit by keyboard whose score equals the CLI', async () => {
  const s = await openApp();
  try {
    await s.waitUntil(() => s.exec('return document.body.dataset.screen'), 'the first screen');
    // A new database: the app offers the demo.
    await s.click('[data-testid="lang-ru"]');
    await s.click('[data-testid="load-demo"]');
    await s.waitFor('[data-testid="audit-row"]');
    await shot(s, '01-home-ru');
    await assertNothingCut(s, '01-home-ru');

    // New audit for a shift, with the keyboard-friendly dialog.
    await s.click('[data-testid="new-audit"]');
    await s.waitFor('[data-testid="create-audit"]');
    await s.click('[data-testid="shift-day"]');
    await s.exec(
      `const i = document.querySelector('[data-testid="auditor-input"]');
       i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));`,
    );
    await s.type('[data-testid="auditor-input"]', 'Мария Иванова');
    // The date reads as a Russian writes it, whatever the computer's locale.
    assert.match(await s.exec('return document.querySelector(\'[data-testid="date-input"]\').value'), /^\d\d\.\d\d\.\d{4}$/);
    await shot(s, '02-new-audit-ru');
    await assertNothingCut(s, '02-new-audit-ru');
    // Enter in the auditor's field starts the audit: no Tab through the rest of the dialog.
    await s.keys(KEYS.Enter);
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'form', 'the form');
    // The form screen shows first and loads the audit after: wait for its rows, not just the screen.
    await s.waitFor('[data-testid="requirement"]');

    // The standard, to know each requirement's kind and range.
    const demo = JSON.parse(readFileSync(join(root, 'fixtures/standards/demo-fashion.ru.json'), 'utf8'));
    const reqs = demo.requirements;
    const failOn = new Set(reqs.filter((r) => (r.kind ?? 'check') === 'check' && !r.hard).slice(1, 3).map((r) => r.code));

    // Answer every requirement with the keyboard alone, in order: focus moves on by itself.
    for (const r of reqs) {
      const kind = r.kind ?? 'check';
      await s.waitUntil(
        () => s.exec(`return document.querySelector('[data-testid="requirement"][aria-current="true"]')?.dataset.code`),
        `a focused requirement before ${r.code}`,
      );
      const current = await s.exec(
        `return document.querySelector('[data-testid="requirement"][aria-current="true"]').dataset.code`,
      );
      assert.equal(current, r.code, 'focus moves to the next requirement by itself');
      if (kind === 'check') {
        await s.keys(failOn.has(r.code) ? 'f' : 'p');
      } else if (kind === 'scale' && r.max <= 9) {
        await s.keys(String(r.max)); // one row of buttons: one digit answers it
      } else if (kind === 'scale') {
        await s.keys(...String(r.max), KEYS.Enter);
      } else if (kind === 'number') {
        const v = r.min ?? r.max;
        await s.keys(...String(v), KEYS.Enter);
      } else {
        await s.keys(...'Всё по стандарту');
        await s.chord(KEYS.Control, KEYS.Enter);
      }
      // Answered: the row shows it, or focus has already moved on (maybe to the next section).
      await s.waitUntil(
        () =>
          s.exec(
            `const row = document.querySelector('[data-testid="requirement"][data-code="${r.code}"]');
             return (row && row.dataset.answer !== '') || row?.getAttribute('aria-current') !== 'true';`,
          ),
        `requirement ${r.code} answered`,
      );
    }
    await s.waitUntil(
      async () => (await s.attr('[data-testid="save-status"]', 'data-state')) === 'saved',
      'everything saved',
    );
    await shot(s, '03-form-ru');
    await assertNothingCut(s, '03-form-ru');

    // The score the app shows is the score the CLI computes from the same database.
    const shown = Number(await s.attr('[data-testid="live-score"]', 'data-score'));
    const audits = storecheck('audit', 'list');
    const mine = audits.find((a) => a.auditor === 'Мария Иванова');
    const cliView = storecheck('audit', 'show', mine.id);
    assert.equal(shown, cliView.score, 'live score equals `storecheck audit show`');
    assert.equal(cliView.findings.length, failOn.size);
    assert.equal(Number(await s.attr('[data-testid="failed-count"]', 'data-count')), failOn.size);
    assert.equal(Number(await s.attr('[data-testid="open-count"]', 'data-count')), 0);

    // Summary, by keyboard: Esc leaves the last text field, S opens the summary.
    await s.keys(KEYS.Escape, 's');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'summary', 'the summary');
    assert.equal(Number(await s.attr('[data-testid="summary-score"]', 'data-score')), cliView.score);

    // Completion is refused until the required photos are there; the summary lists them.
    const needPhotos = cliView.missing.filter((m) => m.what === 'photo').map((m) => m.code);
    assert.ok(needPhotos.includes('2.1') && needPhotos.includes('3.1'), `photos needed: ${needPhotos}`);
    // Refused: the form opens at the first missing item and says what is missing.
    await s.click('[data-testid="complete-audit"]');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'form', 'the form with what is missing');
    const notice = await s.text('[data-testid="completion-notice"]');
    assert.match(notice, /Проверку пока нельзя завершить\. Осталось: фото для \d+ требовани/, notice);
    await s.waitUntil(
      async () => (await s.exec(`return document.querySelector('[data-testid="requirement"][aria-current="true"]')?.dataset.code`)) === needPhotos[0],
      'the first missing item focused',
    );
    await shot(s, '04-missing-photos-ru');
    await assertNothingCut(s, '04-missing-photos-ru');
    await assertOneColumn(s);
    const picture = join(dir, 'витрина.jpg');
    execFileSync('convert', ['-size', '3000x2000', 'gradient:#c33-#36c', '-quality', '90', picture]);
    const heic = join(dir, 'IMG_0001.HEIC');
    writeFileSync(heic, Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(100)]));
    for (const [i, code] of needPhotos.entries()) {
      await s.click(`[data-testid="completion-notice"] [data-code="${code}"]`);
      const input = await s.waitFor(`[data-testid="photo-input"][data-code="${code}"]`);
      // What the file picker hands over: here a photo and, the first time, an iPhone HEIC too.
      await s.cmd('POST', `/element/${input}/value`, { text: i === 0 ? `${picture}\n${heic}` : picture });
      const thumbs = `[data-testid="photo-strip"][data-code="${code}"] [data-testid="photo-thumb"] img`;
      await s.waitUntil(
        () => s.exec(`const img = document.querySelector('${thumbs}'); return !!img && img.complete && img.naturalWidth > 0;`),
        `the thumbnail of ${code} shown`,
        20000,
      );
      if (i === 0) {
        await s.waitUntil(
          async () => (await s.text('[data-testid="photo-errors"]')).includes('IMG_0001.HEIC'),
          'the HEIC refused by name',
        );
        await shot(s, '05-photo-attached-ru');
        await s.click(`[data-testid="photo-strip"][data-code="${code}"] [data-testid="photo-thumb"]`);
        await s.waitUntil(
          () => s.exec(`const img = document.querySelector('[data-testid="photo-viewer"] img'); return !!img && img.complete && img.naturalWidth === 1600;`),
          'the display copy in the viewer',
        );
        await s.type('[data-testid="photo-caption"]', 'Форма у всех');
        await s.keys(KEYS.Enter);
        await shot(s, '06-photo-viewer-ru');
        await s.waitUntil(
          () => storecheck('audit', 'show', mine.id).photos.some((p) => p.requirement === code && p.caption === 'Форма у всех'),
          'the caption saved',
        );
        await s.keys(KEYS.Escape);
      }
      await s.exec('document.activeElement?.blur()');
    }
    await s.waitUntil(async () => (await s.attr('[data-testid="completion-notice"]', 'data-missing')) === '0', 'nothing missing');
    await s.keys('s');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'summary', 'the summary again');
    const photos = storecheck('audit', 'show', mine.id).photos;
    assert.deepEqual(photos.map((p) => p.requirement).sort(), [...needPhotos].sort());
    assert.ok(photos.every((p) => p.width === 1600 && p.height === 1067), 'display copies of 3000×2000');
    await shot(s, '07-summary-ru');
    await assertNothingCut(s, '07-summary-ru');
    await s.click('[data-testid="complete-audit"]');
    await s.waitUntil(
      async () => (await s.attr('[data-testid="audit-status"]', 'data-status')) === 'completed',
      'the audit completed',
    );
    assert.equal(storecheck('audit', 'show', mine.id).status, 'completed');

    // Sign it: draw a signature on the pad, then sign and lock.
    await s.waitFor('[data-testid="sign-card"]');
    await s.draw('[data-testid="signature-pad"]', [[-150, 10], [-100, -25], [-50, 20], [0, -20], [60, 15], [140, -10]]);
    await s.waitUntil(async () => (await s.attr('[data-testid="signature-pad"]', 'data-empty')) === 'false', 'a drawn signature');
    await shot(s, '08-sign-ru');
    await s.exec('window.confirm = () => true;');
    await s.click('[data-testid="sign-audit"]');
    await s.waitFor('[data-testid="signed-card"]', 20000);
    // The card shows the signature drawn above and names the file by store, date and shift.
    await s.waitUntil(
      () => s.exec(`const img = document.querySelector('[data-testid="drawn-signature"]'); return !!img && img.complete && img.naturalWidth > 0;`),
      'the drawn signature on the card',
    );
    assert.match(await s.text('[data-testid="report-name"]'), /^MSK-01 Тверская, 12 — \d\d\.\d\d\.\d{4}, День\.pdf$/);
    await shot(s, '09-signed-ru');
    await assertNothingCut(s, '09-signed-ru');
    const pdf = await s.attr('[data-testid="signed-card"]', 'data-report');
    const verified = storecheck('verify', pdf);
    assert.equal(verified.valid, true);
    assert.equal(verified.signer, null, 'a self-made certificate does not confirm who signed');
    assert.equal(verified.claimed_signer, 'Мария Иванова');
    const pdfsig = execFileSync('pdfsig', [pdf], { encoding: 'utf8' });
    assert.match(pdfsig, /Signature is Valid/);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    for (const needle of ['Отчёт о проверке', 'Мария Иванова', 'Тверская, 12', String(cliView.score.toFixed(1)).replace('.', ',')]) {
      assert.ok(text.includes(needle), `the PDF shows ${needle}`);
    }
    assert.equal(storecheck('audit', 'show', mine.id).status, 'signed');

    // The app's own commands refuse to change a signed audit.
    const refused = await s.execAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke('save_answer', { id: '${mine.id}', code: '1.1', input: { response: { type: 'fail' }, note: null } })
         .then(() => done('accepted'), (e) => done(e.code));`,
    );
    assert.equal(refused, 'locked');

    // The "verify a report" screen checks the file it wrote.
    await s.click('[data-testid="verify-this"]');
    await s.waitUntil(async () => (await s.attr('[data-testid="verify-result"]', 'data-valid')) === 'true', 'the report verified');
    assert.match(await s.text('[data-testid="verify-signer"]'), /называет себя «Мария Иванова»/);
    assert.equal(await s.attr('[data-testid="verify-result"]', 'data-confirmed'), 'false');
    await shot(s, '10-verify-ru');
    await assertNothingCut(s, '10-verify-ru');
  } finally {
    await s.close();
  }
});

test('an answer shown as saved survives the app being killed', async () => {
  const s = await openApp();
  const draft = storecheck('audit', 'list').find((a) => a.status === 'draft');
  assert.ok(draft, 'the demo has a draft audit');
  try {
    await s.waitFor(`[data-testid="audit-row"][data-id="${draft.id}"]`);
    await s.click(`[data-testid="audit-row"][data-id="${draft.id}"] td`);
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'form', 'the form');
    const focused = () =>
      s.exec(`const r = document.querySelector('[data-testid="requirement"][aria-current="true"]'); return r && [r.dataset.code, r.dataset.kind];`);
    await s.waitUntil(focused, 'a focused requirement');
    // Move down to the first pass/fail requirement, with the keyboard.
    for (let i = 0; i < 10 && (await focused())[1] !== 'check'; i++) {
      await s.exec('document.activeElement?.blur()');
      await s.keys(KEYS.ArrowDown);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [first, kind] = await focused();
    assert.equal(kind, 'check', 'a pass/fail requirement is focused');
    await s.keys('f');
    await s.waitUntil(
      async () => (await s.attr('[data-testid="save-status"]', 'data-state')) === 'saved',
      'the answer shown as saved',
    );
    // Kill the app outright: no clean shutdown, no checkpoint.
    execFileSync('pkill', ['-KILL', '-f', 'target/debug/storecheck-app']);
    const view = storecheck('audit', 'show', draft.id);
    const saved = view.answers.find((a) => a.code === first);
    assert.equal(saved?.answer, 'fail', `answer to ${first} survived the kill`);
  } finally {
    await s.close().catch(() => {});
  }
});

test('Send to HQ: a bundle saved from the app goes into HQ with the command line', async () => {
  const stick = join(dir, 'флешка');
  mkdirSync(stick, { recursive: true });
  const done = storecheck('audit', 'list').filter((a) => a.status !== 'draft');
  assert.ok(done.length > 0, 'completed or signed audits to send');
  const s = await openApp();
  try {
    // The first screen first: a click before the app has started would land on a screen it then replaces.
    await s.waitFor('[data-testid="audit-row"]');
    await s.click('[data-testid="nav-send"]');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'send', 'the Send to HQ screen');
    await s.waitFor('[data-testid="send-row"], [data-testid="send-nothing"]');
    await shot(s, '22-send-ru');
    const listed = await s.exec('return [...document.querySelectorAll(\'[data-testid="send-row"]\')].map((r) => r.dataset.id)');
    assert.deepEqual(listed.sort(), done.map((a) => a.id).sort(), `every completed and signed audit listed: ${await s.text('main')}`);
    await s.type('[data-testid="send-folder"]', stick);
    await assertNothingCut(s, '22-send-ru');
    await s.click('[data-testid="send-bundle"]');
    await s.waitFor('[data-testid="send-written"]', 20000);
    assert.match(await s.text('[data-testid="send-written"]'), /Пакет 1 сохранён/);
    const file = await s.text('[data-testid="send-file"]');
    assert.ok(file.startsWith(stick), `the bundle is in the chosen folder: ${file}`);
    await s.waitFor('[data-testid="send-nothing"]');
    await shot(s, '23-send-written-ru');
    await assertNothingCut(s, '23-send-written-ru');

    // HQ imports the very file, with the command line: every audit the app sent, once.
    const hq = join(dir, 'hq.db');
    const hqRun = (...args) => JSON.parse(execFileSync(cli, ['--hq', hq, '--json', ...args], { encoding: 'utf8' }));
    const imported = hqRun('hq', 'import', file, file);
    assert.equal(imported.files[0].added, done.length);
    assert.equal(imported.files[1].already_present, done.length);
    const held = hqRun('hq', 'audits');
    assert.deepEqual(held.map((a) => a.id).sort(), done.map((a) => a.id).sort());

    // The list says they were sent, and a second bundle would carry nothing.
    await s.click('[data-testid="nav-audits"]');
    await s.waitFor('[data-testid="audit-sent"]');
    const marks = await s.exec('return [...document.querySelectorAll(\'[data-testid="audit-sent"]\')].map((e) => [e.dataset.toSend, e.textContent.trim()])');
    assert.equal(marks.length, done.length);
    for (const [toSend, text] of marks) {
      assert.equal(toSend, 'false');
      assert.match(text, /^отправлена \d\d\.\d\d\.\d{4} \d\d:\d\d$/);
    }
  } finally {
    await s.close().catch(() => {});
  }
});

/** The next start shows the store, whatever a failed test left (the app remembers the workspace). */
function storeWorkspace() {
  writeFileSync(join(dir, 'workspace.json'), JSON.stringify({ mode: 'store' }));
}

/** Drops files on an element as a person drags them from the file manager: File objects, no paths. */
async function dropFiles(s, css, paths) {
  const files = paths.map((p) => ({ name: p.split('/').pop(), data: readFileSync(p).toString('base64') }));
  await s.exec(
    `const files = arguments[0].map((f) => {
       const bin = atob(f.data); const bytes = new Uint8Array(bin.length);
       for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
       return new File([bytes], f.name, { type: 'application/zip' });
     });
     const dt = new DataTransfer(); files.forEach((f) => dt.items.add(f));
     const target = document.querySelector(arguments[1]);
     for (const type of ['dragenter', 'dragover', 'drop']) {
       target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
     }`,
    files,
    css,
  );
}

/** Restarts the driver so that the next app opens `database` (another laptop), in Russian. */
async function laptop(database) {
  process.kill(-driver.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  driver = startDriver('ru_RU.UTF-8', database);
}

/** A `storecheck hq serve` (args before `hq serve`), with the URL it says it listens at. */
async function hqServer(args, listen) {
  const server = spawn(cli, [...args, '--json', 'hq', 'serve', '--listen', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (d) => {
      seen += d;
      if (seen.includes('\n')) resolve(JSON.parse(seen.split('\n')[0]).url);
    });
    server.on('exit', (code) => reject(new Error(`hq serve exited with ${code}`)));
  });
  return { server, url };
}

/**
 * A store laptop made with the command line in a folder of its own: the demo, its completed
 * audit signed. `run` runs a command on its database and reads its JSON.
 */
function demoLaptop(name) {
  const home = join(dir, `laptop-${name}`);
  mkdirSync(home, { recursive: true });
  const db = join(home, 'store.db');
  const run = (...args) => JSON.parse(execFileSync(cli, ['--db', db, '--json', ...args], { encoding: 'utf8' }));
  run('demo');
  const done = run('audit', 'list').find((a) => a.status === 'completed');
  run('audit', 'sign', done.id, '--signer', 'Анна Смирнова');
  return { name, home, db, run };
}

const syncState = (s) => s.exec('return document.querySelector(\'[data-testid="sync-state"]\')?.dataset.state');

/** Opens the app on its Send to HQ screen, at the online sync card. */
async function openSyncCard() {
  const s = await openApp();
  try {
    await s.waitFor('[data-testid="audit-row"]');
    await s.click('[data-testid="nav-send"]');
    await s.waitFor('[data-testid="sync-card"]');
  } catch (e) {
    await s.close().catch(() => {});
    throw e;
  }
  return s;
}

test('Online sync: with HQ server’s address given once, the app sends what is new by itself and says it is synced', async () => {
  storeWorkspace();
  // A real HQ server on loopback, on a port the system chooses; stopped whatever happens.
  const hq = join(dir, 'online-hq.db');
  const { server, url } = await hqServer(['--hq', hq], '127.0.0.1:0');
  try {
    // Something new to send: the demo's completed audit, signed.
    const done = storecheck('audit', 'list').find((a) => a.status === 'completed');
    if (done) storecheck('audit', 'sign', done.id, '--signer', 'Анна Смирнова');
    const s = await openSyncCard();
    try {
      await s.waitUntil(async () => (await syncState(s)) === 'off', 'sync off until an address is given');
      await s.type('[data-testid="sync-url"]', url);
      await s.click('[data-testid="sync-save"]');
      await s.waitUntil(async () => (await syncState(s)) === 'synced', 'the app to say it is synced', 30000);
      assert.match(await s.text('[data-testid="sync-state"]'), /Синхронизировано \d\d\.\d\d\.\d{4} \d\d:\d\d/);
      await s.exec('document.querySelector(\'[data-testid="sync-card"]\').scrollIntoView()');
      await shot(s, '36-synced-ru');
      await assertNothingCut(s, '36-synced-ru');
    } finally {
      await s.close().catch(() => {});
    }
    // HQ holds every completed and signed audit of this laptop, once.
    const held = JSON.parse(execFileSync(cli, ['--hq', hq, '--json', 'hq', 'audits'], { encoding: 'utf8' })).map((a) => a.id).sort();
    const sent = storecheck('audit', 'list').filter((a) => a.status !== 'draft').map((a) => a.id).sort();
    assert.deepEqual(held, sent);
  } finally {
    server.kill('SIGKILL');
  }
});

test(
  'HQ on PostgreSQL as a new user would: two laptops given the address sync by themselves, HQ’s workspace shows their audits, a laptop offline catches up when the server is back',
  { skip: !process.env.STORECHECK_TEST_POSTGRES && 'needs a PostgreSQL: scripts/test.sh runs this under scripts/with-postgres.sh' },
  async () => {
    const admin = process.env.STORECHECK_TEST_POSTGRES;
    execFileSync(join(process.env.STORECHECK_TEST_POSTGRES_BIN, 'psql'), ['-q', admin, '-c', 'CREATE DATABASE hq_e2e']);
    const pg = admin.replace(/\/[^/]*$/, '/hq_e2e');
    // The README's command for PostgreSQL, on loopback (the port is kept for the restart).
    const hqArgs = ['--hq', pg, '--hq-files', join(dir, 'pg-hq-files')];
    let { server, url } = await hqServer(hqArgs, '127.0.0.1:0');
    const laptops = ['Тверская', 'Невский'].map(demoLaptop);
    const sent = () => laptops.flatMap((l) => l.run('audit', 'list').filter((a) => a.status !== 'draft').map((a) => a.id)).sort();
    const held = () => JSON.parse(execFileSync(cli, [...hqArgs, '--json', 'hq', 'audits'], { encoding: 'utf8' })).map((a) => a.id).sort();
    try {
      // Each laptop: the address typed once, then it sends by itself.
      for (const [i, l] of laptops.entries()) {
        await laptop(l.db);
        const s = await openSyncCard();
        try {
          await s.waitUntil(async () => (await syncState(s)) === 'off', 'sync off until an address is given');
          await s.type('[data-testid="sync-url"]', url);
          await s.click('[data-testid="sync-save"]');
          await s.waitUntil(async () => (await syncState(s)) === 'synced', `laptop ${l.name} to say it is synced`, 30000);
          if (i === 0) {
            await s.exec('document.querySelector(\'[data-testid="sync-card"]\').scrollIntoView()');
            await shot(s, '40-pg-synced-ru');
            await assertNothingCut(s, '40-pg-synced-ru');
          }
        } finally {
          await s.close().catch(() => {});
        }
      }
      assert.deepEqual(held(), sent(), 'HQ on PostgreSQL holds every audit of both laptops, once');

      // A week offline: the server is gone while the second laptop completes and signs another
      // audit; its app says what waits and why, and sends it by itself once the server is back.
      server.kill('SIGKILL');
      const l = laptops[1];
      const { id } = l.run('audit', 'new', '--store', 'MSK-01', '--shift', 'evening', '--date', '2026-12-01', '--auditor', 'Анна Смирнова');
      execFileSync(cli, ['--db', l.db, 'audit', 'fill', id, join(root, 'fixtures/answers/demo-fashion-hard-fail.csv')]);
      for (const code of ['2.1', '3.1', '3.5']) {
        execFileSync(cli, ['--db', l.db, 'audit', 'photo', id, code, join(root, 'fixtures/db/schema-3/photos/83/83be18ea5219eb821bd5212ce4879d97f431a1ca9314dd4ac4b0b1fef7e458f6.jpg')]);
      }
      l.run('audit', 'complete', id);
      l.run('audit', 'sign', id, '--signer', 'Анна Смирнова');
      await laptop(l.db);
      const s = await openSyncCard();
      try {
        await s.waitUntil(async () => (await syncState(s)) === 'retrying', 'the laptop to say HQ cannot be reached', 30000);
        await s.exec('document.querySelector(\'[data-testid="sync-card"]\').scrollIntoView()');
        await shot(s, '41-pg-offline-ru');
        await assertNothingCut(s, '41-pg-offline-ru');
        ({ server } = await hqServer(hqArgs, url.replace('http://', '')));
        // The next try comes after 24–36 s (backoff with jitter), with nobody touching anything.
        await s.waitUntil(async () => (await syncState(s)) === 'synced', 'the laptop to catch up by itself', 90000);
      } finally {
        await s.close().catch(() => {});
      }
      assert.deepEqual(held(), sent(), 'and the audit made offline is at HQ, once');

      // HQ's workspace on the same PostgreSQL, opened by its address, counts them.
      const s2 = await openApp();
      try {
        await s2.waitFor('[data-testid="audit-row"]');
        await s2.click('[data-testid="ws-hq"]');
        await s2.waitFor('[data-testid="hq-db-postgres"]');
        await s2.click('[data-testid="hq-db-postgres"]');
        await s2.waitFor('[data-testid="hq-db-pg-url"]');
        await s2.type('[data-testid="hq-db-pg-url"]', pg);
        await s2.click('[data-testid="hq-db-pg-connect"]');
        await s2.click('[data-testid="nav-hq-dashboard"]');
        await s2.waitFor('[data-testid="hq-headline-audits"]');
        const n = held().length;
        await s2.waitUntil(async () => (await s2.text('[data-testid="hq-headline-audits"]')).includes(String(n)), `the dashboard counts ${n} audits`);
        await shot(s2, '42-pg-hq-dashboard-ru');
        await assertNothingCut(s2, '42-pg-hq-dashboard-ru');
        // An audit opened from the drill-down: its signed PDF checks and its photos show, both
        // read from PostgreSQL itself (no server or analyst keeps HQ's files in a folder).
        await s2.exec('document.querySelector(\'[data-testid="hq-pareto-bar"]\').focus()');
        await s2.keys(KEYS.Enter);
        await s2.waitFor('[data-testid="hq-drill-row"]');
        await s2.exec('document.querySelector(\'[data-testid="hq-drill-row"]\').click()');
        await s2.waitFor('[data-testid="hq-audit-verdict"]', 20000);
        await s2.waitUntil(async () => /подпис/i.test(await s2.text('[data-testid="hq-audit-verdict"]')), 'the verdict');
        const verdict = await s2.text('[data-testid="hq-audit-verdict"]');
        assert.match(verdict, /действительна|не изменён/i, verdict);
        await s2.waitUntil(
          () => s2.exec('const imgs = [...document.querySelectorAll(\'[data-testid="hq-photo"] img\')]; return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);'),
          'the audit’s photos, from PostgreSQL',
        );
        assert.equal(await s2.exec('return document.querySelectorAll(\'[data-testid="hq-photo-missing"]\').length'), 0);
        await shot(s2, '43-pg-hq-audit-ru');
        await assertNothingCut(s2, '43-pg-hq-audit-ru');
        const serverFolder = join(dir, 'pg-hq-files');
        // (Only its scratch for a bundle being received, emptied after each.)
        const kept = existsSync(serverFolder) ? readdirSync(serverFolder, { recursive: true }).filter((f) => statSync(join(serverFolder, f)).isFile()) : [];
        assert.deepEqual(kept, [], 'the server kept no file of HQ’s in its own folder');
        await s2.click('[data-testid="ws-store"]');
        await s2.waitFor('[data-testid="nav-audits"]');
      } finally {
        await s2.close().catch(() => {});
      }
    } finally {
      server.kill('SIGKILL');
      await laptop(db);
    }
  },
);

test('Receive from HQ: the first package is installed once its CA fingerprint is confirmed, and the next report verifies as issued by the chain', async () => {
  storeWorkspace();
  // HQ: the chain's CA, the auditor's certificate from her request, the package.
  const hq = join(dir, 'chain-hq.db');
  const hqRun = (...args) => JSON.parse(execFileSync(cli, ['--hq', hq, '--json', ...args], { encoding: 'utf8' }));
  const ca = hqRun('hq', 'ca', 'init', '--name', 'Ромашка', '--out', join(dir, 'CA.pem'));
  storecheck('keys', 'request', '--signer', 'Анна Смирнова', '--store', 'MSK-01', '--out', join(dir, 'anna.req'));
  hqRun('hq', 'ca', 'issue', join(dir, 'anna.req'), '--out', join(dir, 'anna.pem'));
  const pkg = join(dir, 'hq-package-1.zip');
  hqRun('hq', 'package', '--out', pkg);

  const s = await openApp();
  try {
    await s.waitFor('[data-testid="audit-row"]');
    await s.click('[data-testid="nav-send"]');
    await s.waitFor('[data-testid="from-hq"]');
    assert.match(await s.text('[data-testid="from-hq-installed"]'), /ещё не устанавливали/);
    await dropFiles(s, '[data-testid="from-hq"]', [pkg]);
    await s.waitFor('[data-testid="from-hq-fingerprint"]', 20000);
    assert.match(await s.text('[data-testid="from-hq-preview"]'), /Пакет № 1 сети «Ромашка»/);
    const groups = await s.exec('return [...document.querySelectorAll(\'[data-testid="from-hq-fingerprint"] span\')].map((e) => e.textContent)');
    assert.equal(groups.join(''), ca.ca.fingerprint.toUpperCase(), 'the fingerprint HQ printed, in groups of four');
    assert.equal(await s.exec('return document.querySelector(\'[data-testid="from-hq-install"]\').disabled'), true, 'not before it is confirmed');
    await s.exec('document.querySelector(\'[data-testid="from-hq"]\').scrollIntoView()');
    await shot(s, '33-receive-first-ru');
    await assertNothingCut(s, '33-receive-first-ru');
    await s.click('[data-testid="from-hq-confirm"]');
    await s.click('[data-testid="from-hq-install"]');
    await s.waitFor('[data-testid="from-hq-done"]', 20000);
    assert.match(await s.text('[data-testid="from-hq-done"]'), /Пакет № 1 сети «Ромашка» установлен/);
    assert.match(await s.text('[data-testid="from-hq-cert"]'), /Анна Смирнова теперь подписывает сертификатом сети/);
    await shot(s, '34-receive-done-ru');
    await assertNothingCut(s, '34-receive-done-ru');
  } finally {
    await s.close().catch(() => {});
  }

  // The next report Анна signs carries the chain; the Verify screen trusts the installed CA.
  let audit = storecheck('audit', 'list').find((a) => a.status === 'completed');
  if (!audit) {
    const signed = storecheck('audit', 'list').find((a) => a.status === 'signed');
    const revision = storecheck('audit', 'revise', signed.id, '--reason', 'сертификат сети');
    storecheck('audit', 'complete', revision.id);
    audit = { id: revision.id };
  }
  storecheck('audit', 'sign', audit.id, '--signer', 'Анна Смирнова');
  const v = JSON.parse(execFileSync(cli, ['--json', 'verify', storecheck('audit', 'show', audit.id).report.path, '--trust', join(dir, 'CA.pem')], { encoding: 'utf8' }));
  assert.equal(v.trusted, true, 'the command line confirms it with the CA file');
  const s2 = await openApp();
  try {
    await s2.waitFor(`[data-testid="audit-row"][data-id="${audit.id}"]`);
    // A table row is not a control WebDriver clicks; a person clicks it, and so does the page.
    await s2.exec(`document.querySelector('[data-testid="audit-row"][data-id="${audit.id}"]').click()`);
    await s2.waitFor('[data-testid="verify-this"]', 20000);
    await s2.click('[data-testid="verify-this"]');
    await s2.waitFor('[data-testid="verify-result"]', 20000);
    await s2.waitFor('[data-testid="verify-trust-installed"]');
    assert.equal(await s2.exec('return document.querySelector(\'[data-testid="verify-result"]\').dataset.confirmed'), 'true');
    assert.match(await s2.text('[data-testid="verify-trust-installed"]'), /удостоверяющий центр сети «Ромашка» \(пакет ЦО № 1\)/);
    assert.match(await s2.text('[data-testid="verify-result"]'), /сертификат выдан Ромашка, ему здесь доверяют/);
    await shot(s2, '35-verify-chain-ru');
  } finally {
    await s2.close().catch(() => {});
  }
});

test('HQ in the app: bundles dropped on the window go in, the dashboard counts them, a failed requirement drills down to its audit and its PDF verdict', async () => {
  // A second signed audit, in a bundle of its own; the first bundle (test 3) is already at HQ.
  const draft = storecheck('audit', 'list').find((a) => a.status === 'draft');
  assert.ok(draft, 'a draft to complete');
  execFileSync(cli, ['--db', db, 'audit', 'fill', draft.id, join(root, 'fixtures/answers/demo-fashion-pass.csv')]);
  storecheck('audit', 'answer', draft.id, '1.3', 'fail', '--note', 'не поздоровался');
  for (const code of ['2.1', '3.1', '3.5']) {
    execFileSync(cli, ['--db', db, 'audit', 'photo', draft.id, code, join(root, 'fixtures/db/schema-3/photos/83/83be18ea5219eb821bd5212ce4879d97f431a1ca9314dd4ac4b0b1fef7e458f6.jpg')]);
  }
  storecheck('audit', 'complete', draft.id);
  storecheck('audit', 'sign', draft.id, '--signer', 'Анна Смирнова');
  const stick = join(dir, 'флешка');
  const second = storecheck('sync', 'export', '--out', stick).file;
  const first = join(stick, readdirSync(stick).find((n) => n.endsWith('000001.zip')));
  const s = await openApp();
  try {
    await s.waitFor('[data-testid="audit-row"]');
    await s.click('[data-testid="ws-hq"]');
    await s.waitFor('[data-testid="nav-hq-import"]');
    // The choice is remembered over the one before (workspace.json said "store").
    assert.equal(JSON.parse(readFileSync(join(dir, 'workspace.json'), 'utf8')).mode, 'hq');
    await s.click('[data-testid="nav-hq-import"]');
    await s.waitFor('[data-testid="hq-drop"]');
    await dropFiles(s, '[data-testid="hq-drop"]', [first, second]);
    await s.waitUntil(
      async () => (await s.exec('return [...document.querySelectorAll(\'[data-testid="hq-import-row"]\')].filter((r) => ["done", "failed"].includes(r.dataset.state)).length')) === 2,
      'a verdict for each dropped file',
      30000,
    );
    const verdicts = await s.exec('return [...document.querySelectorAll(\'[data-testid="hq-import-row"]\')].map((r) => [r.dataset.verdict, r.textContent.trim()])');
    assert.deepEqual(verdicts.map((v) => v[0]), ['present', 'added'], `the bundle HQ holds, then the new one: ${JSON.stringify(verdicts)}`);
    await shot(s, '25-hq-import-ru');
    await assertNothingCut(s, '25-hq-import-ru');

    const held = JSON.parse(execFileSync(cli, ['--hq', join(dir, 'hq.db'), '--json', 'hq', 'audits'], { encoding: 'utf8' }));
    await s.click('[data-testid="nav-hq-dashboard"]');
    await s.waitFor('[data-testid="hq-headline-audits"]');
    await s.waitUntil(async () => (await s.text('[data-testid="hq-headline-audits"]')).includes(String(held.length)), `the dashboard counts ${held.length} audits`);
    await shot(s, '26-hq-dashboard-ru');
    await assertNothingCut(s, '26-hq-dashboard-ru');
    // The requirement failed most often (1.3, failed in the new audit) drills down to that audit.
    // From the keyboard, as the marks are buttons: focus the first bar, Enter.
    await s.exec('document.querySelector(\'[data-testid="hq-pareto-bar"]\').focus()');
    await s.keys(KEYS.Enter);
    await s.waitFor('[data-testid="hq-drill-row"]');
    const rows = await s.exec('return document.querySelectorAll(\'[data-testid="hq-drill-row"]\').length');
    assert.ok(rows >= 1);
    await shot(s, '27-hq-drill-ru');
    await s.exec('document.querySelector(\'[data-testid="hq-drill-row"]\').scrollIntoView({ block: "center" })');
    await s.exec('const r = document.querySelector(\'[data-testid="hq-drill-row"]\'); (r.querySelector("button, a") ?? r).click()');
    await s.waitFor('[data-testid="hq-audit-verdict"]', 20000);
    await s.waitUntil(async () => /подпис/i.test(await s.text('[data-testid="hq-audit-verdict"]')), 'the verdict');
    const verdict = await s.text('[data-testid="hq-audit-verdict"]');
    assert.match(verdict, /действительна|не изменён/i, verdict);
    assert.match(verdict, /Подпись.*«[^»]+»/s, `who signed: ${verdict}`);
    await shot(s, '28-hq-audit-ru');
    await assertNothingCut(s, '28-hq-audit-ru');
    // The review mark is HQ's own: saved, shown, and the signed audit is unchanged.
    await s.type('[data-testid="hq-review-comment"]', 'Проверено, замечаний нет');
    const reviewer = await s.exec('return document.querySelector(\'[data-testid="hq-reviewer"]\').value');
    if (!reviewer) await s.type('[data-testid="hq-reviewer"]', 'Региональный менеджер');
    await s.click('[data-testid="hq-review-save"]');
    await s.waitUntil(async () => (await s.exec('return document.querySelector("main").innerText')).includes('Проверено, замечаний нет'), 'the review mark');

    // Back to the store: the switch is remembered both ways.
    await s.click('[data-testid="ws-store"]');
    await s.waitFor('[data-testid="nav-audits"]');
  } finally {
    await s.close().catch(() => {});
    storeWorkspace();
  }
});

test('HQ dashboard of a chain of 300 stores, in Russian and in English: nothing cut', async () => {
  const chain = join(dir, 'chain.db');
  execFileSync(cli, ['--hq', chain, 'hq', 'demo', '--stores', '300', '--audits', '3000', '--days', '120'], { env: { ...process.env, LANG: 'ru_RU.UTF-8' } });
  writeFileSync(join(dir, 'workspace.json'), JSON.stringify({ mode: 'hq', hq_path: chain }));
  const s = await openApp();
  try {
    await s.waitFor('[data-testid="hq-headline-audits"]', 20000);
    await s.waitUntil(async () => /\d/.test(await s.text('[data-testid="hq-headline-audits"]')), 'figures');
    await new Promise((r) => setTimeout(r, 500));
    await shot(s, '29-hq-chain-ru');
    await assertNothingCut(s, '29-hq-chain-ru');
    await s.exec('window.scrollTo(0, document.body.scrollHeight / 2)');
    await shot(s, '30-hq-chain-ru-middle');
    await s.exec('window.scrollTo(0, document.body.scrollHeight)');
    await shot(s, '31-hq-chain-ru-bottom');
    await s.exec('window.scrollTo(0, 0)');
    await s.click('[data-testid="lang-en"]');
    await s.waitUntil(async () => /audits/i.test(await s.exec('return document.querySelector("main").innerText')), 'the English UI');
    await new Promise((r) => setTimeout(r, 500));
    await shot(s, '32-hq-chain-en');
    await assertNothingCut(s, '32-hq-chain-en');
    assert.doesNotMatch(await s.text('.hq-headline, [data-testid="hq-headline"]').catch(() => ''), /[А-Яа-яЁё]/u, 'the headline is English');
    await s.click('[data-testid="lang-ru"]');
    await s.click('[data-testid="ws-store"]');
    await s.waitFor('[data-testid="nav-audits"]');
  } finally {
    await s.close().catch(() => {});
    storeWorkspace();
  }
});

test('HQ enrols a new store laptop in the app: its bundle, refused until then, is taken at its next push', async () => {
  // The chain's CA at HQ: from now on bundles come only from laptops HQ enrolled.
  const hq = join(dir, 'enrol-hq.db');
  execFileSync(cli, ['--hq', hq, '--json', 'hq', 'ca', 'init', '--name', 'Ромашка']);
  const { server, url } = await hqServer(['--hq', hq], '127.0.0.1:0');
  const { db: ldb, run } = demoLaptop('enrol');
  const push = () => spawnSync(cli, ['--db', ldb, '--json', 'sync', 'push', '--to', url], { encoding: 'utf8' });
  try {
    const refused = push();
    assert.match(refused.stdout + refused.stderr, /not enrolled at HQ|не зарегистрировано в ЦО/);
    writeFileSync(join(dir, 'workspace.json'), JSON.stringify({ mode: 'hq', hq_path: hq }));
    const s = await openApp();
    try {
      await s.waitFor('[data-testid="nav-hq-import"]');
      await s.click('[data-testid="nav-hq-import"]');
      await s.waitFor('[data-testid="hq-device"][data-state="waiting"]', 20000);
      assert.equal(await s.exec('return document.querySelector(\'[data-testid="hq-device-store"]\').value'), 'MSK-01', 'the store its bundle named');
      await s.exec('document.querySelector(\'[data-testid="hq-devices"]\').scrollIntoView()');
      await shot(s, '44-hq-device-waiting-ru');
      await assertNothingCut(s, '44-hq-device-waiting-ru');
      await s.click('[data-testid="hq-device-enrol"]');
      await s.waitFor('[data-testid="hq-device"][data-state="enrolled"]', 20000);
      assert.match(await s.text('[data-testid="hq-devices-done"]'), /зарегистрирован для MSK-01/);
      await shot(s, '45-hq-device-enrolled-ru');
      await assertNothingCut(s, '45-hq-device-enrolled-ru');
      // The same card in English, and back.
      await s.click('[data-testid="lang-en"]');
      await s.waitUntil(async () => /Enrolled for MSK-01/.test(await s.text('[data-testid="hq-device"]')), 'the card in English');
      assert.match(await s.text('[data-testid="hq-devices"]'), /Store laptops/);
      assert.match(await s.text('[data-testid="hq-devices-done"]'), /is enrolled for MSK-01/);
      await shot(s, '46-hq-device-enrolled-en');
      await assertNothingCut(s, '46-hq-device-enrolled-en');
      await s.click('[data-testid="lang-ru"]');
    } finally {
      await s.close().catch(() => {});
    }
    const taken = push();
    assert.equal(taken.status, 0, taken.stdout + taken.stderr);
    const sent = run('audit', 'list').filter((a) => a.status !== 'draft').length;
    assert.equal(JSON.parse(taken.stdout).sent, sent, 'the audit refused before, now taken');
  } finally {
    server.kill('SIGKILL');
    storeWorkspace();
  }
});

test('in English on an English computer, and with the longest names: no text is cut, no word of the other language', async () => {
  process.kill(-driver.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  driver = startDriver('en_US.UTF-8');
  const longName = 'Торговый центр «Европейский», площадь Киевского вокзала, 2/1';
  assert.equal(longName.length, 60);
  execFileSync(cli, ['--db', db, 'store', 'add', 'MSK-LONG-77', longName, '--region', 'Москва и Московская область']);
  const s = await openApp();
  try {
    await s.waitFor('[data-testid="audit-row"]');
    // Focus starts on the list, so Enter opens the first audit.
    await s.waitUntil(async () => (await s.exec('return document.activeElement?.dataset.testid')) === 'audit-row', 'focus on the list').catch(async (e) => {
      throw new Error(`${e.message}: ${await s.exec('return document.activeElement?.outerHTML.slice(0, 200)')}`);
    });
    await s.click('[data-testid="lang-en"]');
    await s.waitUntil(async () => (await s.text('[data-testid="new-audit"]')).startsWith('New audit'), 'the English UI');
    await s.exec('document.activeElement?.blur()');
    await shot(s, '11-home-en');
    await assertNothingCut(s, '11-home-en');

    await s.keys('n');
    await s.waitFor('[data-testid="create-audit"]');
    await s.exec(
      `const sel = document.querySelector('[data-testid="store-select"]');
       sel.value = 'MSK-LONG-77'; sel.dispatchEvent(new Event('change', { bubbles: true }));`,
    );
    // The auditor is remembered: focus waits on "Start", so Enter alone starts the audit.
    assert.equal(await s.exec('return document.activeElement?.dataset.testid'), 'create-audit');
    assert.match(await s.exec('return document.querySelector(\'[data-testid="date-input"]\').value'), /^\d{4}-\d\d-\d\d$/);
    await shot(s, '12-new-audit-en');
    await assertNothingCut(s, '12-new-audit-en');
    await s.keys(KEYS.Enter);
    await s.waitFor('[data-testid="requirement"]');
    await s.waitUntil(
      () => s.exec(`return document.querySelector('[data-testid="requirement"][aria-current="true"]')?.dataset.code`),
      'a focused requirement',
    );
    const kindOf = () => s.exec(`return document.querySelector('[data-testid="requirement"][aria-current="true"]')?.dataset.kind`);
    for (let i = 0; i < 10 && (await kindOf()) !== 'check'; i++) {
      await s.keys(KEYS.Escape, KEYS.ArrowDown);
      await new Promise((r) => setTimeout(r, 100));
    }
    await s.keys('f');
    await s.waitUntil(async () => (await s.attr('[data-testid="save-status"]', 'data-state')) === 'saved', 'saved');
    await shot(s, '13-form-en');
    await assertNothingCut(s, '13-form-en');
    await assertOneColumn(s);
    // The standard's own texts are Russian; everything the app itself says is English.
    for (const chrome of ['.legend', '.stats', '.head-actions', '.controls', '.back']) {
      assert.doesNotMatch(await s.text(chrome), /[А-Яа-яЁё]/u, `${chrome} is English`);
    }

    await s.keys('s');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'summary', 'the summary');
    await shot(s, '14-summary-en');
    await assertNothingCut(s, '14-summary-en');
    await s.click('[data-testid="lang-ru"]');
    await s.waitUntil(async () => (await s.text('main')).includes('Итоги'), 'the Russian UI');
    await shot(s, '15-summary-ru-long');
    await assertNothingCut(s, '15-summary-ru-long');
    await s.click('[data-testid="complete-audit"]');
    await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === 'form', 'the form with what is missing');
    await shot(s, '16-form-ru-long');
    await assertOneColumn(s);
    await assertNothingCut(s, '16-form-ru-long');
    // A value that is not a number: the message says what is allowed, and floats over the form
    // without pushing it or its key legend off the screen.
    const place = () => s.exec(`const f = document.querySelector('.form-layout').getBoundingClientRect();
      const l = document.querySelector('.legend').getBoundingClientRect(); return [f.top, l.bottom <= innerHeight];`);
    const before = await place();
    await s.exec(`const i = document.querySelector('[data-testid="requirement"][data-code="1.1"] [data-testid="value-input"]');
      i.focus(); i.value = '30 мин';`);
    await s.keys(KEYS.Enter);
    await s.waitFor('[data-testid="error-banner"]');
    const banner = await s.text('[data-testid="error-banner"]');
    assert.match(banner, /«30 мин» — не число/, banner);
    assert.match(banner, /Введите измеренное число \(норма — не менее 30\)/, banner);
    assert.deepEqual(await place(), before, 'the form and its legend stay where they were');
    assert.equal(before[1], true, 'the key legend is on screen');
    await shot(s, '18-value-refused-ru');
    await s.click('[data-testid="error-banner"] button');
    await s.exec('document.activeElement?.blur()');
    await s.click('.back');
    await s.waitFor('[data-testid="audit-row"]');
    await shot(s, '17-home-ru-long');
    await assertNothingCut(s, '17-home-ru-long');
    assert.doesNotMatch(await s.text('main'), /\d{4}-\d\d-\d\d/, 'dates as Russian writes them');
    // The other screens, in Russian, with the long store and region in them.
    for (const [nav, name] of [['nav-standards', '19-standards-ru'], ['nav-stores', '20-stores-ru'], ['nav-verify', '21-verify-empty-ru'], ['nav-send', '24-send-ru-long']]) {
      await s.click(`[data-testid="${nav}"]`);
      await s.waitUntil(async () => (await s.exec('return document.body.dataset.screen')) === nav.slice(4), name);
      await new Promise((r) => setTimeout(r, 300));
      await shot(s, name);
      await assertNothingCut(s, name);
      assert.doesNotMatch(await s.text('main'), /\d{4}-\d\d-\d\d/, `${name}: dates as Russian writes them`);
    }
  } finally {
    await s.close().catch(() => {});
    process.kill(-driver.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    driver = startDriver();
  }
});

test('a database file emptied behind its back: the window says so and what to do, and nothing is replaced', async () => {
  // Keep the real database aside and leave a 0-byte file where it was, as a failed copy would.
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      renameSync(db + suffix, join(dir, `kept.db${suffix}`));
    } catch {
      /* no such file */
    }
  }
  writeFileSync(db, '');
  const s = await openApp();
  try {
    await s.waitFor('[data-testid="error-banner"]', 20000);
    const text = await s.text('[data-testid="error-banner"]');
    assert.match(text, /пуст \(0 байт\)/, `the window says the file is empty: ${text}`);
    assert.match(text, /резервной копии/, `and what to do: ${text}`);
    await shot(s, '09-emptied-database-ru');
  } finally {
    await s.close().catch(() => {});
  }
  assert.equal(statSync(db).size, 0, 'the emptied file was not started afresh');
});
