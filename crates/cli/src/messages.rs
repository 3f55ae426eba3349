//! Everything the command line says to a person, in English and Russian.
//!
//! One enum, [`Message`]: each variant is one line (or heading) the commands print, and
//! [`Message::text`] says it in either language in one `match` arm, so the compiler checks that
//! nothing is printed in one language only. Counts take their noun's plural form
//! ([`Noun::count`]). JSON output (`--json`) does not come through here: its keys stay as
//! PRODUCT.md §9 gives them, whatever the language.

use std::path::Path;

use storecheck_core::Lang;
use storecheck_core::i18n::{Noun, Rating, Text};
use storecheck_core::model::{AuditStatus, ShiftPart};
use storecheck_report::DataStatus;

/// A percentage as the command line shows it: `87.5%`, or `—` when there is none yet.
pub fn percent(score: Option<f64>, lang: Lang) -> String {
    score.map_or("—".into(), |v| match lang {
        Lang::En => format!("{v:.1}%"),
        Lang::Ru => format!("{v:.1}%").replace('.', ","),
    })
}

pub enum Message<'a> {
    // standard
    Imported {
        code: &'a str,
        version: &'a str,
        title: &'a str,
        sections: u32,
        requirements: u32,
    },
    AlreadyImported {
        code: &'a str,
        version: &'a str,
    },
    NoStandards,
    StandardLine {
        code: &'a str,
        version: &'a str,
        title: &'a str,
        sections: u32,
        requirements: u32,
        language: &'a str,
    },
    // store
    StoreReady {
        code: &'a str,
        name: &'a str,
    },
    NoStores,
    // demo
    DemoLoaded {
        standard: &'a str,
        stores: &'a str,
    },
    DemoAlreadyThere,
    DemoAudits {
        ids: &'a str,
    },
    DemoNext,
    // audit
    NoAudits,
    AuditListLine {
        id: &'a str,
        date: &'a str,
        store: &'a str,
        shift: ShiftPart,
        status: AuditStatus,
        score: Option<f64>,
        answered: u32,
        total: u32,
        standard: &'a str,
        auditor: &'a str,
    },
    AnswerSaved {
        code: &'a str,
        answer: &'a str,
        score: Option<f64>,
        answered: u32,
        total: u32,
    },
    AnswersSaved {
        count: usize,
    },
    PhotoAttached {
        file: &'a str,
        code: &'a str,
        width: u32,
        height: u32,
        sha256: &'a str,
    },
    PhotosStillNeeded {
        codes: &'a str,
    },
    Completed,
    Reopened,
    SignedBy {
        signer: &'a str,
        at: &'a str,
    },
    CertificateSelfMade {
        subject: &'a str,
    },
    CertificateIssued {
        subject: &'a str,
        issuer: &'a str,
    },
    ReportAt {
        path: &'a str,
    },
    /// Signed, but the copy to `--out` failed.
    CopyFailed {
        kept: &'a str,
        copy: &'a Path,
        error: &'a std::io::Error,
        audit: &'a str,
    },
    /// `--out` names a folder, or a file in a folder that does not exist.
    OutNotWritable {
        path: &'a Path,
        is_folder: bool,
    },
    Revision {
        id: &'a str,
        of: &'a str,
    },
    ActionRecorded {
        code: &'a str,
        what: &'a str,
        owner: &'a str,
        due: &'a str,
    },
    // audit show
    ShowHeader {
        id: &'a str,
        status: AuditStatus,
    },
    ShowRevisionOf {
        of: &'a str,
        reason: &'a str,
    },
    ShowSignedBy {
        signer: &'a str,
        at: &'a str,
        path: &'a str,
    },
    ShowCorrectedBy {
        by: &'a str,
    },
    ShowShift {
        store: &'a str,
        name: &'a str,
        date: &'a str,
        shift: ShiftPart,
        auditor: &'a str,
    },
    ShowObserved {
        who: &'a str,
    },
    ShowStandard {
        code: &'a str,
        version: &'a str,
        title: &'a str,
    },
    ShowScore {
        score: Option<f64>,
        rating: Option<&'a str>,
        answered: u32,
        total: u32,
    },
    SectionsHeading,
    FindingsHeading,
    ActionsHeading,
    PhotosHeading,
    AnswersHeading,
    /// After a finding's code.
    HardMark,
    FindingNote {
        note: &'a str,
    },
    ActionLine {
        /// Its id, which `storecheck action` takes (or its first characters).
        id: &'a str,
        code: &'a str,
        what: &'a str,
        owner: &'a str,
        due: &'a str,
        done_on: Option<&'a str>,
    },
    FollowupDone {
        code: &'a str,
        on: &'a str,
        by: &'a str,
    },
    FollowupRescheduled {
        code: &'a str,
        due: &'a str,
        reason: &'a str,
    },
    StillOpen {
        items: &'a str,
    },
    /// After a requirement's code in "still open": its photo is missing.
    PhotoMark,
    // report and verify
    ReportWritten {
        path: &'a Path,
        bytes: usize,
    },
    SignatureValid,
    SignatureInvalid,
    SignedAt {
        at: &'a str,
    },
    Trusted,
    NotTrusted,
    /// What the report carries of its audit's data; `audit` when intact, `problem` why not.
    Data {
        status: DataStatus,
        audit: Option<&'a str>,
        problem: Option<&'a str>,
    },
    VerifyFailed,
    VerifyUntrusted,
    // the command line itself (clap's own words are English only)
    BadValue {
        arg: &'a str,
        value: &'a str,
        valid: &'a str,
    },
    MissingArguments {
        args: &'a str,
    },
    UnknownArgument {
        arg: &'a str,
    },
    UnknownCommand {
        name: &'a str,
    },
    SeeHelp,
}

impl Text for Message<'_> {
    fn text(&self, lang: Lang) -> String {
        use Message as M;
        let sections = |n: u32| Noun::Section.count(n, lang);
        let requirements = |n: u32| Noun::Requirement.count(n, lang);
        match self {
            M::Imported {
                code,
                version,
                title,
                sections: s,
                requirements: r,
            } => lang.pick(
                format!(
                    "Imported {code} version {version} \"{title}\": {}, {}.",
                    sections(*s),
                    requirements(*r)
                ),
                format!(
                    "Импортирован стандарт {code} версии {version} «{title}»: {}, {}.",
                    sections(*s),
                    requirements(*r)
                ),
            ),
            M::AlreadyImported { code, version } => lang.pick(
                format!("Nothing changed: this file is {code} version {version}, already imported."),
                format!("Ничего не изменилось: в файле стандарт {code} версии {version}, он уже импортирован."),
            ),
            M::NoStandards => lang.pick(
                "No standards yet. Import one with `storecheck standard import FILE`, or run `storecheck demo`.",
                "Стандартов пока нет. Импортируйте стандарт (`storecheck standard import ФАЙЛ`) или загрузите демо (`storecheck demo`).",
            ),
            M::StandardLine {
                code,
                version,
                title,
                sections: s,
                requirements: r,
                language,
            } => format!(
                "{code}@{version}\t{title}\t{}, {}\t{language}",
                sections(*s),
                requirements(*r)
            ),
            M::StoreReady { code, name } => lang.pick(
                format!("Store {code} \"{name}\" is ready."),
                format!("Магазин {code} «{name}» готов."),
            ),
            M::NoStores => lang.pick(
                "No stores yet. Add one with `storecheck store add CODE NAME`.",
                "Магазинов пока нет. Добавьте магазин: `storecheck store add КОД НАЗВАНИЕ`.",
            ),
            M::DemoLoaded { standard, stores } => lang.pick(
                format!("Demo loaded: standard {standard}, stores {stores}."),
                format!("Демо загружено: стандарт {standard}, магазины {stores}."),
            ),
            M::DemoAlreadyThere => lang.pick(
                "The demo audits were already there; nothing new was added.",
                "Демонстрационные проверки уже были загружены; ничего нового не добавлено.",
            ),
            M::DemoAudits { ids } => lang.pick(format!("Audits: {ids}"), format!("Проверки: {ids}")),
            M::DemoNext => lang.pick(
                "Next: storecheck audit list",
                "Дальше: storecheck audit list",
            ),
            M::NoAudits => lang.pick(
                "No audits yet. Start one with `storecheck audit new`, or run `storecheck demo`.",
                "Проверок пока нет. Начните проверку (`storecheck audit new`) или загрузите демо (`storecheck demo`).",
            ),
            M::AuditListLine {
                id,
                date,
                store,
                shift,
                status,
                score,
                answered,
                total,
                standard,
                auditor,
            } => format!(
                "{id}  {date} {store:<8} {:<9} {:<10} {:>6}  {answered}/{total}  {standard}  {auditor}",
                shift.text(lang),
                status.text(lang),
                percent(*score, lang),
            ),
            M::AnswerSaved {
                code,
                answer,
                score,
                answered,
                total,
            } => lang.pick(
                format!(
                    "Saved {code}: {answer}. Score {}, {answered} of {total} answered.",
                    percent(*score, lang)
                ),
                format!(
                    "Сохранено {code}: {}. Оценка {}, отвечено {answered} из {total}.",
                    // The answer as typed, in the words of the form: да, нет, н/п, or the value.
                    match answer.to_lowercase().as_str() {
                        "pass" => "да",
                        "fail" => "нет",
                        "na" => "н/п",
                        _ => answer,
                    },
                    percent(*score, lang)
                ),
            ),
            M::AnswersSaved { count } => lang.pick(
                format!("Saved {}.", Noun::Answer.count(*count, lang)),
                format!("Сохранено: {}.", Noun::Answer.count(*count, lang)),
            ),
            M::PhotoAttached {
                file,
                code,
                width,
                height,
                sha256,
            } => lang.pick(
                format!("Attached {file} to {code}: {width}×{height}, sha256 {sha256}"),
                format!("Фото {file} приложено к {code}: {width}×{height}, sha256 {sha256}"),
            ),
            M::PhotosStillNeeded { codes } => lang.pick(
                format!("Photos still needed for {codes}."),
                format!("Ещё нужны фото к {codes}."),
            ),
            M::Completed => lang.pick("Completed.", "Проверка завершена."),
            M::Reopened => lang.pick(
                "Reopened: the audit is a draft again.",
                "Проверка открыта снова: это снова черновик.",
            ),
            M::SignedBy { signer, at } => lang.pick(
                format!("Signed by {signer} at {at}. The audit is locked."),
                format!("Подписал(а) {signer} в {at}. Проверка заблокирована."),
            ),
            M::CertificateSelfMade { subject } => lang.pick(
                format!("Certificate: \"{subject}\", self-made (HQ has not certified it yet)."),
                format!("Сертификат: «{subject}», создан самим подписавшим (его ещё не заверил ЦО)."),
            ),
            M::CertificateIssued { subject, issuer } => lang.pick(
                format!("Certificate: \"{subject}\", issued by \"{issuer}\"."),
                format!("Сертификат: «{subject}», выдан «{issuer}»."),
            ),
            M::ReportAt { path } => lang.pick(format!("Report: {path}"), format!("Отчёт: {path}")),
            M::CopyFailed {
                kept,
                copy,
                error,
                audit,
            } => lang.pick(
                format!(
                    "the audit is signed and its report kept in {kept}, but the copy to {} could not be written ({error}); write it with storecheck report pdf {audit} --out FILE",
                    copy.display()
                ),
                format!(
                    "проверка подписана, отчёт сохранён в {kept}, но копию в {} записать не удалось ({error}); запишите её командой storecheck report pdf {audit} --out ФАЙЛ",
                    copy.display()
                ),
            ),
            M::OutNotWritable { path, is_folder } => {
                let path = path.display();
                match is_folder {
                    true => lang.pick(
                        format!("--out: {path} is a folder; give a file name; nothing was signed"),
                        format!("--out: {path} — это папка; укажите имя файла; ничего не подписано"),
                    ),
                    false => lang.pick(
                        format!("--out: {path} is in a folder that does not exist; nothing was signed"),
                        format!("--out: {path} — в папке, которой нет; ничего не подписано"),
                    ),
                }
            }
            M::Revision { id, of } => lang.pick(
                format!("{id}\nA new draft that corrects {of}."),
                format!("{id}\nНовый черновик, исправляющий {of}."),
            ),
            M::ActionRecorded {
                code,
                what,
                owner,
                due,
            } => lang.pick(
                format!("Corrective action for {code}: {what} ({owner}, by {due})."),
                format!("Корректирующее действие по {code}: {what} ({owner}, срок {due})."),
            ),
            M::ShowHeader { id, status } => lang.pick(
                format!("Audit {id}  [{}]", status.text(lang)),
                format!("Проверка {id}  [{}]", status.text(lang)),
            ),
            M::ShowRevisionOf { of, reason } => lang.pick(
                format!("Revision of {of}: {reason}"),
                format!("Новая редакция проверки {of}: {reason}"),
            ),
            M::ShowSignedBy { signer, at, path } => lang.pick(
                format!("Signed by {signer} at {at}: {path}"),
                format!("Подписал(а) {signer} в {at}: {path}"),
            ),
            M::ShowCorrectedBy { by } => lang.pick(
                format!("Corrected by revision {by}"),
                format!("Исправлена новой редакцией {by}"),
            ),
            M::ShowShift {
                store,
                name,
                date,
                shift,
                auditor,
            } => lang.pick(
                format!(
                    "Store {store} {name}, shift {date} {}, auditor {auditor}",
                    shift.text(lang)
                ),
                format!(
                    "Магазин {store} {name}, смена {date} {}, проверяющий {auditor}",
                    shift.text(lang)
                ),
            ),
            M::ShowObserved { who } => lang.pick(
                format!("Observed: {who}"),
                format!("Наблюдаемые сотрудники: {who}"),
            ),
            M::ShowStandard {
                code,
                version,
                title,
            } => lang.pick(
                format!("Standard {code}@{version} {title}"),
                format!("Стандарт {code}@{version} {title}"),
            ),
            M::ShowScore {
                score,
                rating,
                answered,
                total,
            } => {
                let rating = rating.map_or("—".into(), |r| Rating::name_text(r, lang));
                lang.pick(
                    format!(
                        "Score {}  rating {rating}  answered {answered}/{total}",
                        percent(*score, lang)
                    ),
                    format!(
                        "Оценка {}  итог {rating}  отвечено {answered}/{total}",
                        percent(*score, lang)
                    ),
                )
            }
            M::SectionsHeading => lang.pick("Sections:", "Разделы:"),
            M::FindingsHeading => lang.pick("Findings:", "Несоответствия:"),
            M::ActionsHeading => lang.pick("Corrective actions:", "Корректирующие действия:"),
            M::PhotosHeading => lang.pick("Photos:", "Фото:"),
            M::AnswersHeading => lang.pick("Answers:", "Ответы:"),
            M::HardMark => lang.pick(" (hard)", " (жёсткое)"),
            M::FindingNote { note } => {
                lang.pick(format!("note: {note}"), format!("заметка: {note}"))
            }
            M::ActionLine {
                id,
                code,
                what,
                owner,
                due,
                done_on,
            } => match done_on {
                Some(done) => lang.pick(
                    format!("{code}  {what} — {owner}, done {done}  [{id}]"),
                    format!("{code}  {what} — {owner}, выполнено {done}  [{id}]"),
                ),
                None => lang.pick(
                    format!("{code}  {what} — {owner}, by {due}  [{id}]"),
                    format!("{code}  {what} — {owner}, срок {due}  [{id}]"),
                ),
            },
            M::FollowupDone { code, on, by } => lang.pick(
                format!("Corrective action {code} marked done on {on} by {by}. It goes to HQ with the next bundle; the signed audit is unchanged."),
                format!("Корректирующее действие {code} отмечено выполненным {on} ({by}). Отметка уйдёт в ЦО со следующим пакетом; подписанная проверка не меняется."),
            ),
            M::FollowupRescheduled { code, due, reason } => lang.pick(
                format!("Corrective action {code}: due date moved to {due} ({reason}). It goes to HQ with the next bundle; the signed audit is unchanged."),
                format!("Корректирующее действие {code}: срок перенесён на {due} ({reason}). Отметка уйдёт в ЦО со следующим пакетом; подписанная проверка не меняется."),
            ),
            M::StillOpen { items } => lang.pick(
                format!("Still open: {items}"),
                format!("Ещё не готово: {items}"),
            ),
            M::PhotoMark => lang.pick(" (photo)", " (фото)"),
            M::ReportWritten { path, bytes } => lang.pick(
                format!("Wrote {} ({}).", path.display(), Noun::Byte.count(*bytes, lang)),
                format!("Записан {} ({}).", path.display(), Noun::Byte.count(*bytes, lang)),
            ),
            M::SignatureValid => lang.pick(
                "The signature is valid: the document has not changed since it was signed.",
                "Подпись действительна: документ не изменялся после подписания.",
            ),
            M::SignatureInvalid => lang.pick("The signature is NOT valid", "Подпись НЕДЕЙСТВИТЕЛЬНА"),
            M::SignedAt { at } => lang.pick(
                format!("Signed at (as the signature claims): {at}"),
                format!("Когда (по словам подписи): {at}"),
            ),
            M::Trusted => lang.pick(
                "The signer's certificate was issued by the trusted certificate (--trust).",
                "Сертификат выдан доверенным центром (--trust).",
            ),
            M::NotTrusted => lang.pick(
                "The trusted certificate (--trust) does NOT confirm the signer",
                "Доверенный сертификат (--trust) НЕ подтверждает подписавшего",
            ),
            M::Data {
                status,
                audit,
                problem,
            } => {
                let audit = audit.unwrap_or("?");
                let problem = problem.unwrap_or("?");
                match status {
                    DataStatus::Intact => lang.pick(
                        format!("The report carries the audit's data (audit {audit}), covered by the signature."),
                        format!("Отчёт содержит данные проверки (проверка {audit}), их охватывает подпись."),
                    ),
                    DataStatus::Absent => lang.pick(
                        "The report does not carry the audit's data (reports signed by earlier versions of StoreCheck do not).",
                        "Отчёт не содержит данных проверки (в отчётах, подписанных прежними версиями StoreCheck, их нет).",
                    ),
                    DataStatus::NotCovered => lang.pick(
                        "The report's audit data is NOT covered by the signature: it was added, replaced or removed after signing.",
                        "Данные проверки в отчёте НЕ охвачены подписью: их добавили, заменили или удалили после подписания.",
                    ),
                    DataStatus::Unverified => lang.pick(
                        "The report carries the audit's data, but the signature over it is NOT valid: the data may have been changed.",
                        "Отчёт содержит данные проверки, но подпись над ними НЕДЕЙСТВИТЕЛЬНА: данные могли изменить.",
                    ),
                    DataStatus::Unreadable => lang.pick(
                        format!("The report's audit data cannot be read: {problem}."),
                        format!("Данные проверки в отчёте не читаются: {problem}."),
                    ),
                }
            }
            M::VerifyFailed => lang.pick(
                "the report did not pass the signature check",
                "отчёт не прошёл проверку подписи",
            ),
            M::VerifyUntrusted => lang.pick(
                "the signature is intact, but the trusted certificate does not confirm the signer (the reason is above)",
                "подпись цела, но доверенный сертификат не подтверждает подписавшего (причина указана выше)",
            ),
            M::BadValue {
                arg,
                value,
                valid: "",
            } => lang.pick(
                format!("{arg}: \"{value}\" is not a valid value"),
                format!("{arg}: «{value}» — недопустимое значение"),
            ),
            M::BadValue { arg, value, valid } => lang.pick(
                format!("{arg}: \"{value}\" is not a valid value; use one of {valid}"),
                format!("{arg}: «{value}» — недопустимое значение; допустимы {valid}"),
            ),
            M::MissingArguments { args } => lang.pick(
                format!("the command needs {args}"),
                format!("не хватает параметров: {args}"),
            ),
            M::UnknownArgument { arg } => lang.pick(
                format!("{arg} is not an option of this command"),
                format!("у этой команды нет параметра {arg}"),
            ),
            M::UnknownCommand { name } => lang.pick(
                format!("there is no command \"{name}\""),
                format!("команды «{name}» нет"),
            ),
            M::SeeHelp => lang.pick(
                "add --help to the command to see what it takes",
                "добавьте к команде --help, чтобы увидеть её параметры",
            ),
        }
    }
}

impl Message<'_> {
    pub fn text(&self, lang: Lang) -> String {
        Text::text(self, lang)
    }
}

/// A command line clap refused, said in `lang` as `error:` and `hint:` lines, like every other
/// failure. `None` for what clap says best itself (help, version) or has no words for here.
pub fn usage_error(e: &clap::Error, lang: Lang) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |k: ContextKind| match e.get(k) {
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let (arg, value, valid, command) = (
        get(ContextKind::InvalidArg),
        get(ContextKind::InvalidValue),
        get(ContextKind::ValidValue),
        get(ContextKind::InvalidSubcommand),
    );
    let said = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => Message::BadValue {
            arg: &arg,
            value: &value,
            valid: &valid,
        },
        ErrorKind::MissingRequiredArgument => Message::MissingArguments { args: &arg },
        ErrorKind::UnknownArgument => Message::UnknownArgument { arg: &arg },
        ErrorKind::InvalidSubcommand => Message::UnknownCommand { name: &command },
        _ => return None,
    };
    Some(format!(
        "error: {}\nhint: {}\n",
        said.text(lang),
        Message::SeeHelp.text(lang)
    ))
}
