//! Why a file sent to HQ is refused, said in both languages: what is wrong and where.
//!
//! A refusal is always of a whole file: nothing of it is written.

use storecheck_core::Lang;
use storecheck_core::i18n::Text;

/// A file refused whole, with the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub struct Refusal {
    /// The file, as the person named it.
    pub file: String,
    pub problem: Problem,
}

/// What is wrong with a bundle, a store database or a signed PDF sent to HQ.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The file cannot be read at all.
    Unreadable {
        detail: String,
    },
    /// Neither a sync bundle, nor a store's database, nor a signed PDF.
    UnknownKind,
    /// Not a ZIP archive (or a damaged one), so not a bundle.
    NotABundle {
        detail: String,
    },
    /// Bigger than a bundle may be.
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    TooManyEntries {
        count: usize,
        limit: usize,
    },
    /// Two entries under one name: which one counts would be a guess.
    DuplicateNames,
    /// An entry name that could write outside its folder or is not one a bundle has.
    BadEntryName {
        name: String,
    },
    Encrypted {
        name: String,
    },
    /// An entry the manifest lists is not in the archive, or the archive lacks `manifest.json`
    /// or its signature.
    MissingEntry {
        name: String,
    },
    /// An entry the manifest does not list.
    UnlistedEntry {
        name: String,
    },
    /// An entry whose size is not what the manifest says.
    SizeMismatch {
        name: String,
        listed: u64,
        found: u64,
    },
    /// An entry whose SHA-256 is not what the manifest says: it was changed.
    HashMismatch {
        name: String,
    },
    EntryTooLarge {
        name: String,
        bytes: u64,
        limit: u64,
    },
    ManifestUnreadable {
        detail: String,
    },
    /// A bundle number that is not one a device gives (0, or beyond any a laptop reaches).
    BadSequence {
        found: u64,
        limit: u64,
    },
    /// Made by a newer StoreCheck than this one.
    NewerFormat {
        found: u32,
        supported: u32,
    },
    /// The manifest's signature does not verify with the key the bundle names.
    BadSignature,
    /// HQ has bundles from this device signed by another key.
    WrongKey {
        device: String,
    },
    /// HQ has a CA, and the device's key is not enrolled: no certificate of HQ's CA is for it.
    /// `fingerprint` is the key's SHA-256 (hex), `store` the store its bundle named.
    NotEnrolled {
        device: String,
        fingerprint: String,
        store: Option<String>,
    },
    /// The device is enrolled for store `enrolled`, and the bundle holds audits of `stores`.
    OtherStore {
        device: String,
        fingerprint: String,
        enrolled: String,
        stores: Vec<String>,
    },
    /// The certificate that enrolled the device's key was revoked.
    DeviceRevoked {
        device: String,
        fingerprint: String,
        /// RFC 3339.
        at: String,
        reason: Option<storecheck_report::ca::RevokeReason>,
    },
    /// A line of a table that cannot be read.
    BadRecord {
        entry: String,
        line: usize,
        detail: String,
    },
    /// A draft: drafts never travel.
    Draft {
        audit: String,
    },
    /// A standard whose ids or content hash do not match its content.
    StandardMismatch {
        standard: String,
    },
    /// An audit's standard is not in the file nor at HQ.
    MissingStandard {
        audit: String,
        standard: String,
    },
    /// An answer, photo or action names a requirement its audit's standard does not have.
    UnknownRequirement {
        audit: String,
        requirement: String,
    },
    /// A row of an audit (an answer, a photo, a corrective action, a report) under an id
    /// another row of its kind already has, in the file or at HQ.
    IdTaken {
        audit: String,
        id: String,
    },
    /// A follow-up of a corrective action that belongs to another audit than the one it names.
    ForeignAction {
        followup: String,
        action: String,
        audit: String,
    },
    /// A signed audit without its signed PDF.
    MissingReport {
        audit: String,
    },
    /// A signed PDF whose signature does not verify.
    BadReport {
        audit: String,
        detail: String,
    },
    /// The audit's rows are not the data its own signed PDF carries.
    ReportDataMismatch {
        audit: String,
        field: String,
    },
    /// HQ holds a different signed version of this audit.
    SignedConflict {
        audit: String,
        field: String,
    },
    /// An unsigned copy of an audit HQ holds signed, newer than the signed one.
    UnsignedOverSigned {
        audit: String,
    },
    /// A signed PDF without the audit's data inside (signed before StoreCheck embedded it).
    NoDataInPdf,
    /// A photo or PDF file whose bytes are not the hash that names them.
    FileChanged {
        name: String,
    },
    /// A database that is not a StoreCheck store database.
    NotAStoreDatabase {
        detail: String,
    },
}

impl Text for Refusal {
    fn text(&self, lang: Lang) -> String {
        format!("{}: {}", self.file, self.problem.text(lang))
    }
}

impl Problem {
    /// Refused for who sent it, not for what it holds: the same file is taken once HQ enrols
    /// the device (for the store the file is of), so a store sends it again rather than giving
    /// it up.
    pub fn waits_for_enrolment(&self) -> bool {
        matches!(
            self,
            Problem::NotEnrolled { .. }
                | Problem::DeviceRevoked { .. }
                | Problem::OtherStore { .. }
        )
    }
}

impl Refusal {
    pub fn new(file: impl Into<String>, problem: Problem) -> Refusal {
        Refusal {
            file: file.into(),
            problem,
        }
    }

    /// What to do about it, where there is something to do.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        use Problem as P;
        Some(match &self.problem {
            P::NewerFormat { .. } => lang.pick(
                "update StoreCheck at HQ, then import the file again",
                "обновите StoreCheck в ЦО и импортируйте файл снова",
            ),
            P::HashMismatch { .. }
            | P::SizeMismatch { .. }
            | P::BadSignature
            | P::MissingEntry { .. }
            | P::UnlistedEntry { .. }
            | P::FileChanged { .. } => lang.pick(
                "the file was changed or damaged on the way: ask the store to export it again (`storecheck sync export --all`)",
                "файл изменён или повреждён в пути: попросите магазин выгрузить его снова (`storecheck sync export --all`)",
            ),
            P::WrongKey { .. } => lang.pick(
                "this file was not signed by the laptop HQ knows under that device: check where it came from",
                "файл подписан не тем ноутбуком, который ЦО знает под этим устройством: проверьте, откуда он",
            ),
            P::NotEnrolled {
                fingerprint, store, ..
            } => {
                let store = store.as_deref().unwrap_or("CODE");
                lang.pick(
                    format!("ask HQ to enrol it: storecheck hq device enrol {fingerprint} --store {store}; the file is taken then"),
                    format!("попросите ЦО зарегистрировать его: storecheck hq device enrol {fingerprint} --store {store}; тогда файл будет принят"),
                )
            }
            P::OtherStore {
                fingerprint,
                enrolled,
                stores,
                ..
            } => {
                let first = stores.first().map_or("CODE", String::as_str);
                lang.pick(
                    format!("a store's audits come from a laptop enrolled for that store; if this laptop now serves {first}, ask HQ to enrol it there (storecheck hq device enrol {fingerprint} --store {first}; it then no longer sends for {enrolled}); the file is taken then"),
                    format!("проверки магазина присылает ноутбук, зарегистрированный для этого магазина; если этот ноутбук теперь работает в {first}, попросите ЦО зарегистрировать его там (storecheck hq device enrol {fingerprint} --store {first}; для {enrolled} он тогда больше не отправляет); тогда файл будет принят"),
                )
            }
            P::DeviceRevoked { fingerprint, .. } => lang.pick(
                format!("what this device sent before stays at HQ; it sends again only if HQ enrols it anew (storecheck hq device enrol {fingerprint} --store CODE)"),
                format!("присланное этим устройством раньше остаётся в ЦО; отправлять снова оно сможет, только если ЦО зарегистрирует его заново (storecheck hq device enrol {fingerprint} --store КОД)"),
            ),
            P::SignedConflict { .. } | P::ReportDataMismatch { .. } => lang.pick(
                "a signed audit never changes: check where this file came from; a correction is a new revision of the audit",
                "подписанная проверка не меняется: проверьте, откуда файл; исправление — это новая редакция проверки",
            ),
            P::NoDataInPdf => lang.pick(
                "this report was signed before reports carried their data: import the store's bundle or database instead",
                "отчёт подписан до того, как отчёты стали нести данные: импортируйте пакет или базу магазина",
            ),
            _ => return None,
        })
    }
}

impl Text for Problem {
    fn text(&self, lang: Lang) -> String {
        use Problem as P;
        match self {
            P::UnknownKind => lang.pick(
                "cannot be read: it is not a sync bundle, a store database or a signed PDF of StoreCheck",
                "не читается: это не пакет синхронизации, не база магазина и не подписанный PDF StoreCheck",
            ),
            P::Unreadable { detail } => {
                lang.pick(format!("cannot be read ({detail})"), format!("не читается ({detail})"))
            }
            P::NotABundle { detail } => lang.pick(
                format!("not a StoreCheck sync bundle: not a readable ZIP archive ({detail})"),
                format!("не пакет синхронизации StoreCheck: не читаемый ZIP-архив ({detail})"),
            ),
            P::TooLarge { bytes, limit } => lang.pick(
                format!("{bytes} bytes, more than a bundle may hold ({limit})"),
                format!("{bytes} байт — больше, чем допустимо для пакета ({limit})"),
            ),
            P::TooManyEntries { count, limit } => lang.pick(
                format!("{count} entries, more than a bundle may hold ({limit})"),
                format!("{count} записей — больше, чем допустимо для пакета ({limit})"),
            ),
            P::DuplicateNames => lang.pick(
                "two entries have the same name",
                "две записи архива названы одинаково",
            ),
            P::BadEntryName { name } => lang.pick(
                format!("entry {name:?} is not a name a bundle may hold"),
                format!("запись «{name}» — недопустимое имя в пакете"),
            ),
            P::Encrypted { name } => lang.pick(
                format!("entry {name:?} is encrypted"),
                format!("запись «{name}» зашифрована"),
            ),
            P::MissingEntry { name } => lang.pick(
                format!("entry {name:?} is missing"),
                format!("нет записи «{name}»"),
            ),
            P::UnlistedEntry { name } => lang.pick(
                format!("entry {name:?} is not listed in the manifest"),
                format!("записи «{name}» нет в манифесте"),
            ),
            P::SizeMismatch { name, listed, found } => lang.pick(
                format!("entry {name:?} holds {found} bytes, the manifest says {listed}"),
                format!("в записи «{name}» {found} байт, а в манифесте — {listed}"),
            ),
            P::HashMismatch { name } => lang.pick(
                format!("entry {name:?} was changed: its SHA-256 is not the manifest's"),
                format!("запись «{name}» изменена: её SHA-256 не совпадает с манифестом"),
            ),
            P::EntryTooLarge { name, bytes, limit } => lang.pick(
                format!("entry {name:?} is {bytes} bytes, more than allowed ({limit})"),
                format!("запись «{name}» — {bytes} байт, больше допустимого ({limit})"),
            ),
            P::ManifestUnreadable { detail } => lang.pick(
                format!("manifest.json cannot be read ({detail})"),
                format!("manifest.json не читается ({detail})"),
            ),
            P::BadSequence { found, limit } => lang.pick(
                format!("the manifest numbers the bundle {found}; a device numbers its bundles from 1 to {limit}"),
                format!("в манифесте номер пакета {found}; устройство нумерует пакеты от 1 до {limit}"),
            ),
            P::NewerFormat { found, supported } => lang.pick(
                format!(
                    "made by a newer StoreCheck (bundle format {found}; this one reads up to {supported})"
                ),
                format!(
                    "создан более новой версией StoreCheck (формат пакета {found}; эта версия читает до {supported})"
                ),
            ),
            P::BadSignature => lang.pick(
                "the manifest's signature is not valid: the bundle was changed after it was signed",
                "подпись манифеста недействительна: пакет изменён после подписи",
            ),
            P::WrongKey { device } => lang.pick(
                format!("signed by another key than the one HQ knows for device {device}"),
                format!("подписан другим ключом, чем тот, что ЦО знает для устройства {device}"),
            ),
            P::NotEnrolled {
                device, fingerprint, ..
            } => {
                let shown = storecheck_core::hq_package::fingerprint_shown(fingerprint);
                lang.pick(
                    format!("device {device} ({shown}) is not enrolled at HQ"),
                    format!("устройство {device} ({shown}) не зарегистрировано в ЦО"),
                )
            }
            P::OtherStore {
                device,
                fingerprint,
                enrolled,
                stores,
            } => {
                let shown = storecheck_core::hq_package::fingerprint_shown(fingerprint);
                let stores = stores.join(", ");
                lang.pick(
                    format!("device {device} ({shown}) is enrolled for store {enrolled}, and this bundle holds audits of {stores}"),
                    format!("устройство {device} ({shown}) зарегистрировано для магазина {enrolled}, а в пакете проверки магазина {stores}"),
                )
            }
            P::DeviceRevoked {
                device,
                fingerprint,
                at,
                reason,
            } => {
                let shown = storecheck_core::hq_package::fingerprint_shown(fingerprint);
                let why = reason.map(|r| format!(" ({})", r.text(lang))).unwrap_or_default();
                lang.pick(
                    format!("the certificate of device {device} ({shown}) was revoked on {at}{why}"),
                    format!("сертификат устройства {device} ({shown}) отозван {at}{why}"),
                )
            }
            P::BadRecord {
                entry,
                line,
                detail,
            } => lang.pick(
                format!("{entry}, line {line}: {detail}"),
                format!("{entry}, строка {line}: {detail}"),
            ),
            P::Draft { audit } => lang.pick(
                format!("audit {audit} is a draft, and drafts are never sent"),
                format!("проверка {audit} — черновик, а черновики не отправляются"),
            ),
            P::StandardMismatch { standard } => lang.pick(
                format!("standard {standard}: its ids or content hash do not match its content"),
                format!("стандарт {standard}: идентификаторы или хеш не соответствуют содержимому"),
            ),
            P::MissingStandard { audit, standard } => lang.pick(
                format!("audit {audit} uses standard {standard}, which is neither in the file nor at HQ"),
                format!("проверка {audit} использует стандарт {standard}, которого нет ни в файле, ни в ЦО"),
            ),
            P::UnknownRequirement { audit, requirement } => lang.pick(
                format!("audit {audit} names requirement {requirement}, which its standard does not have"),
                format!("проверка {audit} ссылается на требование {requirement}, которого нет в её стандарте"),
            ),
            P::IdTaken { audit, id } => lang.pick(
                format!("audit {audit}: id {id} is already another row's (each answer, photo, action and report has its own)"),
                format!("проверка {audit}: идентификатор {id} уже занят другой записью (у каждого ответа, фото, действия и отчёта он свой)"),
            ),
            P::ForeignAction { followup, action, audit } => lang.pick(
                format!("follow-up {followup} names corrective action {action} of audit {audit}, but that action belongs to another audit"),
                format!("отметка {followup} относится к корректирующему действию {action} проверки {audit}, но это действие другой проверки"),
            ),
            P::MissingReport { audit } => lang.pick(
                format!("audit {audit} is signed but its signed PDF is missing"),
                format!("проверка {audit} подписана, но её подписанного PDF нет"),
            ),
            P::BadReport { audit, detail } => lang.pick(
                format!("the signed PDF of audit {audit} is not valid: {detail}"),
                format!("подписанный PDF проверки {audit} недействителен: {detail}"),
            ),
            P::ReportDataMismatch { audit, field } => lang.pick(
                format!(
                    "audit {audit}: its rows differ from the data inside its signed PDF ({field})"
                ),
                format!(
                    "проверка {audit}: данные отличаются от данных внутри её подписанного PDF ({field})"
                ),
            ),
            P::SignedConflict { audit, field } => lang.pick(
                format!(
                    "HQ already holds a different signed version of audit {audit} ({field} differs)"
                ),
                format!(
                    "в ЦО уже есть другая подписанная версия проверки {audit} (отличается: {field})"
                ),
            ),
            P::UnsignedOverSigned { audit } => lang.pick(
                format!("audit {audit} is signed at HQ; this file holds a newer, unsigned version of it"),
                format!("проверка {audit} в ЦО подписана, а в файле — её более новая неподписанная версия"),
            ),
            P::NoDataInPdf => lang.pick(
                "the signed PDF carries no audit data",
                "подписанный PDF не содержит данных проверки",
            ),
            P::FileChanged { name } => lang.pick(
                format!("{name}: its bytes are not the SHA-256 that names them"),
                format!("{name}: содержимое не совпадает с SHA-256 в имени"),
            ),
            P::NotAStoreDatabase { detail } => lang.pick(
                format!("not a StoreCheck store database ({detail})"),
                format!("не база данных магазина StoreCheck ({detail})"),
            ),
        }
    }
}
