//! What `sync` and `hq` say to a person, in English and Russian (the same mechanism as
//! [`crate::messages::Message`]: one variant per line, both languages in one arm).

use storecheck_core::Lang;
use storecheck_core::i18n::{Noun, Text, file_size};

use crate::messages::percent;

pub enum SyncMessage<'a> {
    BundleWritten {
        file: &'a str,
        sequence: u64,
        audits: usize,
        followups: usize,
        photos: usize,
        bytes: u64,
    },
    NothingToSend,
    PhotosMissing {
        count: usize,
    },
    Imported {
        file: &'a str,
        kind: &'a str,
        added: usize,
        already_present: usize,
    },
    Refused {
        file: &'a str,
        what: &'a str,
        reason: &'a str,
    },
    Note {
        text: &'a str,
    },
    ImportTotals {
        files: usize,
        added: usize,
        already_present: usize,
        refused: usize,
    },
    NoHqAudits,
    HqAuditLine {
        id: &'a str,
        date: &'a str,
        store: &'a str,
        status: &'a str,
        score: Option<f64>,
        standard: &'a str,
    },
    NoGaps,
    NoStats,
    HqDemo {
        stores: usize,
        audits: usize,
    },
    Exported {
        files: &'a str,
        audits: usize,
        answers: usize,
        findings: usize,
        actions: usize,
    },
    StatsHeader {
        by: &'a str,
    },
    StatLine {
        key: &'a str,
        audits: u64,
        average: Option<f64>,
        failed_hard: u64,
        findings: u64,
    },
    Gap {
        sequence: u64,
        device: &'a str,
        name: &'a str,
    },
}

impl Text for SyncMessage<'_> {
    fn text(&self, lang: Lang) -> String {
        use SyncMessage as M;
        match self {
            M::BundleWritten {
                file,
                sequence,
                audits,
                followups,
                photos,
                bytes,
            } => {
                let followups = if *followups > 0 {
                    lang.pick(
                        format!(", {followups} follow-ups of corrective actions"),
                        format!(", отметок по корректирующим действиям — {followups}"),
                    )
                } else {
                    String::new()
                };
                lang.pick(
                    format!(
                        "Bundle {sequence} written: {file}\n{}{followups}, {}, {}. Carry it to HQ (a folder, a USB stick); nothing here was removed.",
                        Noun::Audit.count(*audits, lang),
                        Noun::Photo.count(*photos, lang),
                        file_size(*bytes, lang)
                    ),
                    format!(
                        "Пакет {sequence} записан: {file}\n{}{followups}, {}, {}. Передайте его в ЦО (папка, флешка); здесь ничего не удалено.",
                        Noun::Audit.count(*audits, lang),
                        Noun::Photo.count(*photos, lang),
                        file_size(*bytes, lang)
                    ),
                )
            }
            M::NothingToSend => lang.pick(
                "Nothing new to send: every completed and signed audit, and every follow-up of a corrective action, is in a bundle already. `--all` sends them all again.",
                "Нового для отправки нет: все завершённые и подписанные проверки и все отметки по корректирующим действиям уже в пакетах. С `--all` они будут отправлены снова.",
            ),
            M::PhotosMissing { count } => lang.pick(
                format!(
                    "Warning: the original files of {} are missing beside the database; their rows were sent without them.",
                    Noun::Photo.count(*count, lang)
                ),
                format!(
                    "Внимание: исходных файлов ({}) нет рядом с базой; строки отправлены без них.",
                    Noun::Photo.count(*count, lang)
                ),
            ),
            M::Imported {
                file,
                kind,
                added,
                already_present,
            } => {
                let kind = match *kind {
                    "bundle" => lang.pick("bundle", "пакет"),
                    "database" => lang.pick("store database", "база магазина"),
                    "pdf" => lang.pick("signed PDF", "подписанный PDF"),
                    other => other.to_string(),
                };
                lang.pick(
                    format!(
                        "✓ {file} ({kind}): {} added, {already_present} already at HQ",
                        Noun::Audit.count(*added, lang)
                    ),
                    format!(
                        "✓ {file} ({kind}): добавлено — {}, уже были в ЦО — {already_present}",
                        Noun::Audit.count(*added, lang)
                    ),
                )
            }
            M::Refused { file, what, reason } => {
                let at = if what == file {
                    String::new()
                } else {
                    format!(" [{what}]")
                };
                lang.pick(
                    format!("✗ {file}{at}: refused, nothing written: {reason}"),
                    format!("✗ {file}{at}: не принят, ничего не записано: {reason}"),
                )
            }
            M::Note { text } => format!("  {text}"),
            M::ImportTotals {
                files,
                added,
                already_present,
                refused,
            } => lang.pick(
                format!(
                    "{}: {} added, {already_present} already present, {refused} refused",
                    Noun::File.count(*files, lang),
                    Noun::Audit.count(*added, lang)
                ),
                format!(
                    "{}: добавлено — {}, уже были — {already_present}, не принято файлов — {refused}",
                    Noun::File.count(*files, lang),
                    Noun::Audit.count(*added, lang)
                ),
            ),
            M::HqDemo { stores, audits } => lang.pick(
                format!(
                    "A demo chain of {stores} stores with {} is in this HQ database. Open it in the app's HQ workspace, or try `storecheck hq stats --by region`.",
                    Noun::Audit.count(*audits, lang)
                ),
                format!(
                    "В базе ЦО создана демонстрационная сеть: магазинов — {stores}, {}. Откройте её в приложении (режим «ЦО») или попробуйте `storecheck hq stats --by region`.",
                    Noun::Audit.count(*audits, lang)
                ),
            ),
            M::NoHqAudits => lang.pick(
                "HQ holds no audits yet. Import bundles with `storecheck hq import FILE...`.",
                "В ЦО пока нет проверок. Импортируйте пакеты: `storecheck hq import ФАЙЛ...`.",
            ),
            M::HqAuditLine {
                id,
                date,
                store,
                status,
                score,
                standard,
            } => {
                let status = match *status {
                    "signed" => lang.pick("signed", "подписана"),
                    _ => lang.pick("completed", "завершена"),
                };
                format!(
                    "{id}\t{date}\t{store}\t{status}\t{}\t{standard}",
                    percent(*score, lang)
                )
            }
            M::NoGaps => lang.pick(
                "No bundle is missing: every device's sequence is complete up to its last bundle.",
                "Пропущенных пакетов нет: у каждого устройства получены все пакеты до последнего.",
            ),
            M::Exported {
                files,
                audits,
                answers,
                findings,
                actions,
            } => lang.pick(
                format!(
                    "Exported: {audits} audits, {answers} answers, {findings} findings, {actions} corrective actions\n{files}"
                ),
                format!(
                    "Выгружено: проверок — {audits}, ответов — {answers}, нарушений — {findings}, корректирующих действий — {actions}\n{files}"
                ),
            ),
            M::NoStats => lang.pick(
                "No audits at HQ in this period.",
                "В ЦО нет проверок за этот период.",
            ),
            M::StatsHeader { by } => {
                let by = match *by {
                    "store" => lang.pick("store", "магазин"),
                    "region" => lang.pick("region", "регион"),
                    "section" => lang.pick("section", "раздел"),
                    "requirement" => lang.pick("requirement", "требование"),
                    _ => lang.pick("week", "неделя"),
                };
                lang.pick(
                    format!("{by}\taudits\taverage\tfailed (hard)\tfindings"),
                    format!("{by}\tпроверок\tсредняя оценка\tне пройдено (жёсткие)\tнарушений"),
                )
            }
            M::StatLine {
                key,
                audits,
                average,
                failed_hard,
                findings,
            } => format!(
                "{}\t{audits}\t{}\t{failed_hard}\t{findings}",
                if key.is_empty() { "—" } else { key },
                percent(*average, lang)
            ),
            M::Gap {
                sequence,
                device,
                name,
            } => lang.pick(
                format!("bundle {sequence} from device {device} ({name}) never arrived"),
                format!("пакет {sequence} от устройства {device} ({name}) не поступал"),
            ),
        }
    }
}
