// Typed wrappers around the Rust commands (src-tauri/src/commands.rs). The only module that
// calls invoke(); every type comes from ./bindings, generated from the Rust types.
import { t } from '../i18n/index.svelte';
import { invoke } from '@tauri-apps/api/core';
import { open, save } from '@tauri-apps/plugin-dialog';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Devices } from './bindings/Devices';
import type { EnrolledDevice } from './bindings/EnrolledDevice';
import type { AnswerInput } from './bindings/AnswerInput';
import type { AnswerSaved } from './bindings/AnswerSaved';
import type { AppInfo } from './bindings/AppInfo';
import type { AuditSummary } from './bindings/AuditSummary';
import type { AuditView } from './bindings/AuditView';
import type { CorrectiveAction } from './bindings/CorrectiveAction';
import type { DemoOutcome } from './bindings/DemoOutcome';
import type { ExportOutcome } from './bindings/ExportOutcome';
import type { ImportOutcome } from './bindings/ImportOutcome';
import type { IpcError } from './bindings/IpcError';
import type { Lang } from './bindings/Lang';
import type { NewAction } from './bindings/NewAction';
import type { NewAudit } from './bindings/NewAudit';
import type { Outbox } from './bindings/Outbox';
import type { InstalledPackage } from './bindings/InstalledPackage';
import type { PackagePreview } from './bindings/PackagePreview';
import type { Received } from './bindings/Received';
import type { CertificateStatus } from './bindings/CertificateStatus';
import type { SyncStatus } from './bindings/SyncStatus';
import type { Photo } from './bindings/Photo';
import type { PhotosSaved } from './bindings/PhotosSaved';
import type { SignInput } from './bindings/SignInput';
import type { Verification } from './bindings/Verification';
import type { StandardInfo } from './bindings/StandardInfo';
import type { Store } from './bindings/Store';
import type { Dashboard } from './bindings/Dashboard';
import type { Drill } from './bindings/Drill';
import type { ExportWritten } from './bindings/ExportWritten';
import type { FileOutcome } from './bindings/FileOutcome';
import type { Filter } from './bindings/Filter';
import type { Focus } from './bindings/Focus';
import type { Gap } from './bindings/Gap';
import type { HqAuditView } from './bindings/HqAuditView';
import type { ImportLine } from './bindings/ImportLine';
import type { ImportProgress } from './bindings/ImportProgress';
import type { Mode } from './bindings/Mode';
import type { Options } from './bindings/Options';
import type { Review } from './bindings/Review';
import type { WorkspaceInfo } from './bindings/WorkspaceInfo';

/** Is `e` the `{code, message, hint, problems}` every command rejects with? */
export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Any rejection as an IpcError, so the UI shows one kind of message. */
export function asIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  return { code: 'storage', message: String(e), hint: null, problems: [] };
}

/** The headquarters workspace (src-tauri/src/hq.rs). */
export const hq = {
  /** The workspace shown at start (remembered), with the HQ database opened when it is HQ. */
  workspace: () => invoke<WorkspaceInfo>('workspace'),
  /** Switches between the store and HQ, and remembers it. */
  setWorkspace: (mode: Mode) => invoke<WorkspaceInfo>('set_workspace', { mode }),
  /** Opens (or creates) the HQ database at `path` and remembers it. */
  open: (path: string) => invoke<WorkspaceInfo>('hq_open', { path }),
  /** The store devices HQ knows, waiting ones first, and whether HQ has the chain's CA. */
  devices: () => invoke<Devices>('hq_devices'),
  /** Enrols a device (its fingerprint) for a store, by the chain's CA. */
  enrolDevice: (device: string, store: string) => invoke<EnrolledDevice>('hq_enrol_device', { device, store }),
  /** Imports files in order; each verdict also arrives as an `hq-import` event (ImportProgress). */
  importFiles: (paths: string[]) => invoke<FileOutcome[]>('hq_import', { paths }),
  /** Imports one file dropped on the window (a drop gives bytes, not a path). */
  importDropped: async (file: File): Promise<FileOutcome> => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return invoke<FileOutcome>('hq_import_dropped', bytes, { headers: { 'x-name': encodeURIComponent(file.name || 'file') } });
  },
  imports: () => invoke<ImportLine[]>('hq_imports'),
  gaps: () => invoke<Gap[]>('hq_gaps'),
  options: () => invoke<Options>('hq_options'),
  dashboard: (filter: Filter) => invoke<Dashboard>('hq_dashboard', { filter }),
  drill: (filter: Filter, focus: Focus) => invoke<Drill>('hq_drill', { filter, focus }),
  audit: (id: string) => invoke<HqAuditView>('hq_audit', { id }),
  review: (id: string, reviewer: string, comment: string) => invoke<Review>('hq_review', { id, reviewer, comment }),
  /** Checks the signed PDF HQ holds for audit `id`. */
  verify: (id: string) => invoke<Verification>('hq_verify', { id }),
  openReport: (id: string) => invoke<void>('hq_open_report', { id }),
  saveReport: (id: string, path: string) => invoke<void>('hq_save_report', { id, path }),
  /** XLSX into the file `path`, or CSV files into the folder `path`. */
  exportTables: (format: 'csv' | 'xlsx', path: string, filter: Filter) =>
    invoke<ExportWritten>('hq_export', { format, path, filter }),
};

/** Where the web view loads an HQ photo original from (the `hqphoto:` scheme). */
export function hqPhotoUrl(sha256: string, format: string): string {
  const ext = format === 'jpeg' ? 'jpg' : format;
  const viaHttp = /Windows|Android/.test(navigator.userAgent);
  return viaHttp ? `http://hqphoto.localhost/${sha256}.${ext}` : `hqphoto://localhost/${sha256}.${ext}`;
}

export const api = {
  /** What the next bundle to HQ carries, and the bundles written so far. */
  syncOutbox: () => invoke<Outbox>('sync_outbox'),
  /** Writes a signed bundle of what is not yet sent (everything with `all`) into `folder`. */
  exportBundle: (folder: string, all: boolean) => invoke<ExportOutcome>('export_bundle', { folder, all }),
  /** Version, database path and counts, for the first screen. */
  appInfo: () => invoke<AppInfo>('app_info'),
  /** Tells the app the first screen shows data (used to measure start-up). */
  uiReady: () => invoke<void>('ui_ready'),
  uiPainted: (scriptMs: number, paintMs: number) => invoke<void>('ui_painted', { scriptMs, paintMs }),
  /** The language of messages coming from Rust from now on. */
  setLang: (lang: Lang) => invoke<void>('set_lang', { lang }),
  loadDemo: (lang: Lang) => invoke<DemoOutcome>('load_demo', { lang }),
  /** Imports a standard file; rejects with `import_invalid` listing every problem. */
  importStandard: (path: string) => invoke<ImportOutcome>('import_standard', { path }),
  listStandards: () => invoke<StandardInfo[]>('list_standards'),
  listStores: () => invoke<Store[]>('list_stores'),
  addStore: (code: string, name: string, region: string | null) => invoke<Store>('add_store', { code, name, region }),
  listAudits: () => invoke<AuditSummary[]>('list_audits'),
  /** Starts a draft audit and returns its id. */
  createAudit: (audit: NewAudit) => invoke<string>('create_audit', { audit }),
  loadAudit: (id: string) => invoke<AuditView>('load_audit', { id }),
  /** Saves an answer and/or note durably; resolves only once it is on disk. */
  saveAnswer: (id: string, code: string, input: AnswerInput) => invoke<AnswerSaved>('save_answer', { id, code, input }),
  clearAnswer: (id: string, code: string) => invoke<AnswerSaved>('clear_answer', { id, code }),
  /** Rejects with `incomplete` listing what is missing. */
  completeAudit: (id: string) => invoke<AuditView>('complete_audit', { id }),
  reopenAudit: (id: string) => invoke<AuditView>('reopen_audit', { id }),
  deleteDraft: (id: string) => invoke<void>('delete_draft', { id }),
  addAction: (id: string, action: NewAction) => invoke<CorrectiveAction>('add_action', { id, action }),
  removeAction: (id: string, action: string) => invoke<void>('remove_action', { id, action }),
  /** Marks a signed audit's action done (a photo as proof optional); resolves with the audit. */
  actionDone: async (action: string, note: string, by: string, photo: File | null): Promise<AuditView> => {
    const bytes = photo ? new Uint8Array(await photo.arrayBuffer()) : new Uint8Array();
    return invoke<AuditView>('action_done', bytes, {
      headers: {
        'x-action': action,
        'x-note': encodeURIComponent(note),
        'x-by': encodeURIComponent(by),
        'x-name': encodeURIComponent(photo?.name ?? ''),
      },
    });
  },
  /** Moves a signed audit's action to a new due date, saying why; resolves with the audit. */
  rescheduleAction: (action: string, due: string, reason: string, by: string | null) =>
    invoke<AuditView>('reschedule_action', { action, due, reason, by }),
  /**
   * Attaches one photo (picked, dropped or pasted) to a requirement; its bytes travel as the
   * request body. Rejects with `invalid_photo` naming the file and the reason.
   */
  attachPhoto: async (id: string, code: string, file: File): Promise<PhotosSaved> => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return invoke<PhotosSaved>('attach_photo', bytes, {
      headers: {
        'x-audit': id,
        'x-code': encodeURIComponent(code),
        'x-name': encodeURIComponent(file.name || 'photo'),
      },
    });
  },
  setPhotoCaption: (photo: string, caption: string) => invoke<Photo>('set_photo_caption', { photo, caption }),
  /** Signs a completed audit: writes the signed PDF and locks the audit for good. */
  signAudit: (id: string, input: SignInput) => invoke<AuditView>('sign_audit', { id, input }),
  /** Writes a copy of a signed audit's PDF where the person chose. */
  saveReport: (id: string, path: string) => invoke<void>('save_report', { id, path }),
  /** Opens a signed audit's PDF in the computer's PDF viewer. */
  openReport: (id: string) => invoke<void>('open_report', { id }),
  /** What online sync is doing now. */
  syncStatus: () => invoke<SyncStatus>('sync_status'),
  /** Remembers HQ's server and syncs at once. */
  setSyncServer: (url: string) => invoke<SyncStatus>('set_sync_server', { url }),
  /** Syncs now instead of at the next try. */
  syncNow: () => invoke<SyncStatus>('sync_now'),
  /** Checks a report; without `trust`, the chain's CA from the installed HQ package is trusted. */
  verifyReport: (path: string, trust: string | null) => invoke<Verification>('verify_report', { path, trust }),
  /** The HQ package installed at this store, if any. */
  installedPackage: () => invoke<InstalledPackage | null>('installed_package'),
  /** What an HQ package holds, checked, before installing it. */
  previewPackage: (path: string) => invoke<PackagePreview>('preview_package', { path }),
  /** As `previewPackage`, for a package file dropped on the window. */
  previewDroppedPackage: async (file: File): Promise<PackagePreview> =>
    invoke<PackagePreview>('preview_package_dropped', new Uint8Array(await file.arrayBuffer()), {
      headers: { 'x-name': encodeURIComponent(file.name || 'package') },
    }),
  /** As `receivePackage`, for a package file dropped on the window. */
  receiveDroppedPackage: async (file: File, pin: string | null): Promise<Received> =>
    invoke<Received>('receive_package_dropped', new Uint8Array(await file.arrayBuffer()), {
      headers: { 'x-name': encodeURIComponent(file.name || 'package'), 'x-pin': pin ?? '' },
    }),
  /** Installs an HQ package; `pin` is the CA fingerprint the person confirmed (the first package). */
  receivePackage: (path: string, pin: string | null) => invoke<Received>('receive_package', { path, pin }),
  /** Writes a certificate request for the auditor's key at `path`; resolves with the certificate they sign with now. */
  requestCertificate: (signer: string, store: string, path: string) =>
    invoke<CertificateStatus>('request_certificate', { signer, store, path }),
  /** The certificate an auditor signs with now, if their key is on this computer. */
  signerCertificate: (signer: string) => invoke<CertificateStatus | null>('signer_certificate', { signer }),
  /** The PNG of the drawn signature on a signed audit's report, if one was drawn. */
  drawnSignature: (id: string) => invoke<number[] | null>('drawn_signature', { id }),
  /** The audit a report file covers, when that very file was signed on this computer. */
  reportAudit: (path: string) => invoke<AuditSummary | null>('report_audit', { path }),
  /** A new draft correcting a signed audit; resolves with its id. */
  reviseAudit: (id: string, reason: string) => invoke<string>('revise_audit', { id, reason }),
  /** Takes a photo off its requirement (drafts only); resolves with the new score. */
  removePhoto: (photo: string) => invoke<PhotosSaved>('remove_photo', { photo }),
};

/** Where the web view loads a photo's thumbnail or display copy from (the `photo:` scheme). */
// Windows and Android web views reach custom schemes as http://<scheme>.localhost.
export function photoUrl(sha256: string, kind: 'thumb' | 'display'): string {
  const viaHttp = /Windows|Android/.test(navigator.userAgent);
  return viaHttp ? `http://photo.localhost/${kind}/${sha256}` : `photo://localhost/${kind}/${sha256}`;
}

/** The native open-file dialog for a standard; null when cancelled. */
export async function pickStandardFile(title: string): Promise<string | null> {
  const picked = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: t('filter.standard'), extensions: ['xlsx', 'csv', 'json'] }],
  });
  return typeof picked === 'string' ? picked : null;
}

/** The native save dialog for a copy of a report; null when cancelled. */
export async function pickReportDestination(title: string, name: string): Promise<string | null> {
  const picked = await save({ title, defaultPath: name, filters: [{ name: t('filter.pdf'), extensions: ['pdf'] }] });
  return typeof picked === 'string' ? picked : null;
}

/** The native folder dialog (where a bundle to HQ goes); null when cancelled. */
export async function pickFolder(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: true });
  return typeof picked === 'string' ? picked : null;
}

/** The native open dialog for a PDF report, or for a certificate (PEM) to trust. */
export async function pickFile(title: string, kind: 'pdf' | 'cert'): Promise<string | null> {
  // The filter's name is shown in the dialog: in the UI's language, like everything else.
  const filters =
    kind === 'pdf' ? [{ name: t('filter.pdf'), extensions: ['pdf'] }] : [{ name: t('filter.cert'), extensions: ['pem', 'crt', 'cer', 'der'] }];
  const picked = await open({ title, multiple: false, directory: false, filters });
  return typeof picked === 'string' ? picked : null;
}

/** Calls `handle` with every change of online sync's state; resolves to the unlisten. */
export function onSyncStatus(handle: (s: SyncStatus) => void): Promise<UnlistenFn> {
  return listen<SyncStatus>('sync-status', (e) => handle(e.payload));
}

/** Calls `handle` with each file's verdict as `hq.importFiles` writes it; resolves to the unlisten. */
export function onImportProgress(handle: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>('hq-import', (e) => handle(e.payload));
}

/** The native open dialog for an HQ database file; null when cancelled. */
export async function pickHqDatabase(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: false, filters: [{ name: t('filter.hqdb'), extensions: ['db'] }] });
  return typeof picked === 'string' ? picked : null;
}

/** The native save dialog for a new HQ database file; null when cancelled. */
export async function pickNewHqDatabase(title: string): Promise<string | null> {
  const picked = await save({ title, defaultPath: 'hq.db', filters: [{ name: t('filter.hqdb'), extensions: ['db'] }] });
  return typeof picked === 'string' ? picked : null;
}

/** The native open dialog for files to import at HQ (bundles, store databases, signed PDFs). */
export async function pickImportFiles(title: string): Promise<string[]> {
  const picked = await open({
    title,
    multiple: true,
    directory: false,
    filters: [{ name: t('filter.imports'), extensions: ['zip', 'db', 'pdf'] }],
  });
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

/** The native open dialog for an HQ package; null when cancelled. */
export async function pickPackage(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: false, filters: [{ name: t('filter.package'), extensions: ['zip'] }] });
  return typeof picked === 'string' ? picked : null;
}

/** The native save dialog for a certificate request; null when cancelled. */
export async function pickRequestDestination(title: string, name: string): Promise<string | null> {
  const picked = await save({ title, defaultPath: name, filters: [{ name: t('filter.request'), extensions: ['pem', 'csr'] }] });
  return typeof picked === 'string' ? picked : null;
}

/** The native save dialog for an XLSX export; null when cancelled. */
export async function pickWorkbookDestination(title: string, name: string): Promise<string | null> {
  const picked = await save({ title, defaultPath: name, filters: [{ name: t('filter.xlsx'), extensions: ['xlsx'] }] });
  return typeof picked === 'string' ? picked : null;
}
