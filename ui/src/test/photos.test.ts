import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Form from '../screens/Form.svelte';
import { setLang } from '../i18n/index.svelte';
import { auditView, emptyScore } from './fixture';
import type { Photo } from '../api/bindings/Photo';

const photo = (code: string, name: string, n: number): Photo => ({
  id: `00000000-0000-7000-9000-00000000000${n}`,
  requirement_id: 'r',
  code,
  sha256: String(n).repeat(64),
  file_name: name,
  caption: '',
  format: 'jpeg',
  bytes: 1000,
  original_width: 4000,
  original_height: 3000,
  width: 1600,
  height: 1200,
  thumb_width: 320,
  thumb_height: 240,
  created_at: '',
});

/** Files as the file picker, a drop or a paste hands them over. */
const file = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], name, { type: 'image/jpeg' });

function mockPhotos(sent: { body: unknown }[], refuse: (n: number) => boolean) {
  const view = auditView();
  view.missing = [{ code: '1.1', what: 'photo' }];
  let n = 0;
  mockIPC((cmd, args) => {
    if (cmd === 'load_audit') return view;
    if (cmd === 'attach_photo') {
      n += 1;
      sent.push({ body: args });
      if (refuse(n)) throw { code: 'invalid_photo', message: `photo "bad${n}.heic" cannot be attached: HEIC photos are not supported`, hint: 'export it as JPEG', problems: [] };
      return { photos: [photo('1.1', `p${n}.jpg`, n)], score: emptyScore(), missing: [] };
    }
    return null;
  });
}

describe('photos in the form', () => {
  it('attaches picked files with progress, shows thumbnails, and lists the refused ones by name', async () => {
    setLang('en');
    const sent: { body: unknown }[] = [];
    mockPhotos(sent, (n) => n === 2);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(screen.getByTestId('photo-needed')).toBeTruthy());
    const input = document.querySelector<HTMLInputElement>('[data-testid="photo-input"][data-code="1.1"]')!;
    Object.defineProperty(input, 'files', { value: [file('a.jpg'), file('b.heic'), file('c.jpg')] });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => expect(screen.getByTestId('photo-progress').dataset.done).toBe('3'));
    expect(sent).toHaveLength(3);
    expect(sent[0].body).toBeInstanceOf(Uint8Array); // the file's bytes travel as the body
    expect(screen.getAllByTestId('photo-thumb')).toHaveLength(2);
    expect(screen.getByTestId('photo-errors').textContent).toContain('bad2.heic');
    expect(screen.getByTestId('photo-errors').textContent).toContain('export it as JPEG');
    expect(screen.queryByTestId('photo-needed')).toBeNull(); // the required photo is there now
  });

  it('attaches dropped files to the requirement they are dropped on', async () => {
    const sent: { body: unknown }[] = [];
    mockPhotos(sent, () => false);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(screen.getAllByTestId('requirement').length).toBeGreaterThan(1));
    const row = document.querySelector<HTMLElement>('[data-testid="requirement"][data-code="1.1"]')!;
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [file('shelf.jpg')], types: ['Files'] } });
    row.dispatchEvent(drop);
    await waitFor(() => expect(screen.getAllByTestId('photo-thumb')).toHaveLength(1));
    expect(sent).toHaveLength(1);
    expect(drop.defaultPrevented).toBe(true);
  });
});
