//! What the chain's CA, certificate requests and HQ packages say to a person, in English and
//! Russian (the same mechanism as [`crate::messages::Message`]: one variant per line, both
//! languages in one arm).

use storecheck_core::Lang;
use storecheck_core::hq_package::fingerprint_shown;
use storecheck_core::i18n::{Text, file_size};

pub enum CaMessage<'a> {
    CaMade {
        chain: &'a str,
        fingerprint: &'a str,
    },
    CaThere {
        chain: &'a str,
        fingerprint: &'a str,
        issued: u64,
        revoked: u64,
    },
    TrustWritten {
        file: &'a str,
    },
    RequestWritten {
        file: &'a str,
        auditor: &'a str,
        store: &'a str,
    },
    Issued {
        file: &'a str,
        auditor: &'a str,
        store: &'a str,
        serial: &'a str,
        until: &'a str,
    },
    Revoked {
        serial: &'a str,
        auditor: &'a str,
        at: &'a str,
    },
    NoCertificates,
    CertificateLine {
        serial: &'a str,
        auditor: &'a str,
        store: &'a str,
        until: &'a str,
        revoked: Option<&'a str>,
    },
    PackageWritten {
        file: &'a str,
        sequence: u64,
        standards: usize,
        stores: u64,
        certificates: u64,
        revoked: u64,
        bytes: u64,
    },
    PackageInstalled {
        chain: &'a str,
        sequence: u64,
        standards: usize,
        stores_added: usize,
        stores_changed: usize,
    },
    PackageAlready {
        sequence: u64,
    },
    /// The package gave HQ's server address, now this store's.
    ServerFromPackage {
        url: &'a str,
    },
    /// The package made gives the stores HQ's server address.
    PackageServer {
        url: &'a str,
    },
    ServerCertificate {
        names: &'a str,
        until: &'a str,
        /// Where its certificate and key are as files; none when they are in HQ's database.
        files: Option<(&'a str, &'a str)>,
        issued: bool,
    },
    Pinned {
        chain: &'a str,
        fingerprint: &'a str,
    },
    CertificateInstalled {
        auditor: &'a str,
        until: &'a str,
    },
    StandardPublished {
        code: &'a str,
        version: &'a str,
        requirements: u64,
        created: bool,
    },
    StoreNamed {
        code: &'a str,
        name: &'a str,
        added: bool,
    },
    Pushed {
        url: &'a str,
        bundles: u64,
        sent: u64,
        present: u64,
    },
    PushMissing {
        file: &'a str,
    },
    PullUpToDate {
        url: &'a str,
    },
    PullNone {
        url: &'a str,
    },
    /// This store device as HQ enrols it.
    ThisDevice {
        id: &'a str,
        name: &'a str,
        fingerprint: &'a str,
    },
    DeviceLine(&'a storecheck_hq::enrol::KnownDevice),
    NoDevices {
        pending: bool,
    },
    DeviceRevoked {
        serial: &'a str,
        device: &'a str,
        at: &'a str,
    },
    DeviceEnrolled(&'a storecheck_hq::enrol::EnrolledDevice),
}

impl Text for CaMessage<'_> {
    fn text(&self, lang: Lang) -> String {
        match *self {
            CaMessage::ThisDevice { id, name, fingerprint } => lang.pick(
                format!(
                    "Device: {name}\nId: {id}\nKey fingerprint: {}\nHQ compares this fingerprint before it enrols the device (`storecheck hq device enrol`).",
                    fingerprint_shown(fingerprint)
                ),
                format!(
                    "Устройство: {name}\nИдентификатор: {id}\nОтпечаток ключа: {}\nЦО сверяет этот отпечаток, прежде чем зарегистрировать устройство (`storecheck hq device enrol`).",
                    fingerprint_shown(fingerprint)
                ),
            ),
            CaMessage::DeviceLine(d) => {
                use storecheck_hq::enrol::DeviceState as S;
                let store = d.store.as_deref().unwrap_or("");
                let until = d.until.as_deref().unwrap_or("");
                let state = match d.state {
                    S::Enrolled => lang.pick(
                        format!("enrolled for {store} until {until}"),
                        format!("зарегистрировано для {store} до {until}"),
                    ),
                    S::Revoked => {
                        let at = d.revoked_at.as_deref().unwrap_or("");
                        let why = d
                            .revoke_reason
                            .map(|r| format!(" ({})", r.text(lang)))
                            .unwrap_or_default();
                        lang.pick(format!("revoked {at}{why}"), format!("отозвано {at}{why}"))
                    }
                    S::Expired => lang.pick(
                        format!("its certificate for {store} ended {until}"),
                        format!("сертификат для {store} истёк {until}"),
                    ),
                    S::Waiting => {
                        let at = d.last_refused_at.as_deref().unwrap_or("");
                        let stores = d.stores_named.join(", ");
                        lang.pick(
                            format!("waiting: bundles refused {}, last {at}, for stores {stores}", d.refused),
                            format!("ожидает: отклонено пакетов {}, последний {at}, магазины {stores}", d.refused),
                        )
                    }
                    S::NotEnrolled => lang.pick(
                        "not enrolled (its bundles were taken before HQ made its CA)".to_string(),
                        "не зарегистрировано (его пакеты приняты до создания УЦ в ЦО)".to_string(),
                    ),
                };
                format!(
                    "{}  {}  {}  {state}",
                    d.fingerprint_shown, d.name, d.device_id
                )
            }
            CaMessage::DeviceRevoked { serial, device, at } => lang.pick(
                format!("Certificate {serial} of device {device} is revoked as of {at}: HQ refuses its bundles from now on; what it sent before stays."),
                format!("Сертификат {serial} устройства {device} отозван с {at}: с этого момента ЦО не принимает его пакеты; присланное раньше остаётся."),
            ),
            CaMessage::NoDevices { pending } => match pending {
                true => lang.pick("No device is waiting to be enrolled.", "Нет устройств, ожидающих регистрации."),
                false => lang.pick("HQ knows no store device yet.", "ЦО пока не знает ни одного устройства магазина."),
            },
            CaMessage::DeviceEnrolled(d) => {
                let (en, ru) = if d.issued {
                    (
                        format!("Device {} ({}) is enrolled for {} until {} (certificate {}).", d.name, d.fingerprint_shown, d.store, d.until, d.serial),
                        format!("Устройство {} ({}) зарегистрировано для {} до {} (сертификат {}).", d.name, d.fingerprint_shown, d.store, d.until, d.serial),
                    )
                } else {
                    (
                        format!("Device {} ({}) was enrolled for {} already, until {} (certificate {}).", d.name, d.fingerprint_shown, d.store, d.until, d.serial),
                        format!("Устройство {} ({}) уже зарегистрировано для {} до {} (сертификат {}).", d.name, d.fingerprint_shown, d.store, d.until, d.serial),
                    )
                };
                let replaced = if d.replaced.is_empty() {
                    String::new()
                } else {
                    lang.pick(
                        format!(" It replaces certificate {} (revoked).", d.replaced.join(", ")),
                        format!(" Заменяет сертификат {} (отозван).", d.replaced.join(", ")),
                    )
                };
                format!("{}{replaced}", lang.pick(en, ru))
            }
            CaMessage::CaMade { chain, fingerprint } => lang.pick(
                format!(
                    "The certificate authority of «{chain}» is made.\nFingerprint: {}\nStores check this fingerprint when they install their first HQ package.",
                    fingerprint_shown(fingerprint)
                ),
                format!(
                    "Удостоверяющий центр сети «{chain}» создан.\nОтпечаток: {}\nМагазины сверяют этот отпечаток при установке первого пакета ЦО.",
                    fingerprint_shown(fingerprint)
                ),
            ),
            CaMessage::CaThere { chain, fingerprint, issued, revoked } => lang.pick(
                format!(
                    "The certificate authority of «{chain}»: {issued} certificates issued, {revoked} revoked.\nFingerprint: {}",
                    fingerprint_shown(fingerprint)
                ),
                format!(
                    "Удостоверяющий центр сети «{chain}»: выдано сертификатов: {issued}, отозвано: {revoked}.\nОтпечаток: {}",
                    fingerprint_shown(fingerprint)
                ),
            ),
            CaMessage::TrustWritten { file } => lang.pick(
                format!("The CA's certificate and its revocation list are written to {file}: give it to regional managers for `storecheck verify --trust {file}`."),
                format!("Сертификат УЦ и список отозванных записаны в {file}: передайте его региональным менеджерам для `storecheck verify --trust {file}`."),
            ),
            CaMessage::RequestWritten { file, auditor, store } => lang.pick(
                format!("A certificate request for {auditor} (store {store}) is written to {file}. Send it to HQ; HQ issues the certificate with `storecheck hq ca issue`, and it arrives in the next HQ package."),
                format!("Запрос сертификата для {auditor} (магазин {store}) записан в {file}. Передайте его в ЦО; ЦО выдаст сертификат (`storecheck hq ca issue`), и он придёт со следующим пакетом ЦО."),
            ),
            CaMessage::Issued { file, auditor, store, serial, until } => lang.pick(
                format!("Certificate {serial} for {auditor} (store {store}), valid until {until}, is written to {file}. It also goes to the store in the next HQ package (`storecheck hq package`)."),
                format!("Сертификат {serial} для {auditor} (магазин {store}), действует до {until}, записан в {file}. Он также уйдёт в магазин со следующим пакетом ЦО (`storecheck hq package`)."),
            ),
            CaMessage::Revoked { serial, auditor, at } => lang.pick(
                format!("Certificate {serial} of {auditor} is revoked as of {at}. Signatures made with it after that are not trusted once readers have the new revocation list (`hq ca init --out`, the next HQ package)."),
                format!("Сертификат {serial} ({auditor}) отозван с {at}. Подписям, сделанным им позже, перестанут доверять, когда у проверяющих будет новый список отозванных (`hq ca init --out`, следующий пакет ЦО)."),
            ),
            CaMessage::NoCertificates => lang.pick(
                "HQ has issued no certificates yet.",
                "ЦО ещё не выдавал сертификатов.",
            ),
            CaMessage::CertificateLine { serial, auditor, store, until, revoked } => {
                let state = match revoked {
                    Some(at) => lang.pick(format!("revoked {at}"), format!("отозван {at}")),
                    None => lang.pick(format!("valid until {until}"), format!("действует до {until}")),
                };
                format!("{serial}  {store}  {auditor}  {state}")
            }
            CaMessage::PackageWritten { file, sequence, standards, stores, certificates, revoked, bytes } => lang.pick(
                format!(
                    "HQ package {sequence} is written to {file} ({}): {standards} standards, {stores} stores, {certificates} certificates, {revoked} revoked. Stores install it with `storecheck sync receive`.",
                    file_size(bytes, lang)
                ),
                format!(
                    "Пакет ЦО № {sequence} записан в {file} ({}): стандартов: {standards}, магазинов: {stores}, сертификатов: {certificates}, отозванных: {revoked}. Магазины устанавливают его командой `storecheck sync receive`.",
                    file_size(bytes, lang)
                ),
            ),
            CaMessage::PackageInstalled { chain, sequence, standards, stores_added, stores_changed } => lang.pick(
                format!("HQ package {sequence} of «{chain}» is installed: {standards} new standard versions, {stores_added} stores added, {stores_changed} renamed or moved."),
                format!("Пакет ЦО № {sequence} сети «{chain}» установлен: новых версий стандартов: {standards}, магазинов добавлено: {stores_added}, переименовано или перенесено: {stores_changed}."),
            ),
            CaMessage::ServerFromPackage { url } => lang.pick(
                format!("This store sends to HQ's server at {url}, as the package gives it (an address given with --to would stay)."),
                format!("Магазин отправляет данные на сервер ЦО {url}, как указано в пакете (адрес, заданный через --to, остался бы прежним)."),
            ),
            CaMessage::PackageServer { url } => lang.pick(
                format!("It gives the stores HQ's server at {url}."),
                format!("В нём указан сервер ЦО для магазинов: {url}."),
            ),
            CaMessage::ServerCertificate { names, until, files, issued } => {
                let (en, ru) = match files {
                    Some((cert, key)) => (
                        format!(
                            ": {cert} (with the CA's after it), its key {key} (owner-only)"
                        ),
                        format!(
                            ": {cert} (за ним сертификат УЦ), его ключ — {key} (доступен только владельцу)"
                        ),
                    ),
                    None => (
                        ", kept in the HQ database".to_string(),
                        ", хранится в базе ЦО".to_string(),
                    ),
                };
                lang.pick(
                    format!(
                        "{} HQ server's certificate for {names}, issued by the chain's CA, valid until {until}{en}.",
                        if issued { "New:" } else { "Kept:" }
                    ),
                    format!(
                        "{} сертификат сервера ЦО для {names}, выданный УЦ сети, действует до {until}{ru}.",
                        if issued { "Выпущен" } else { "Оставлен прежний:" }
                    ),
                )
            }
            CaMessage::PackageAlready { sequence } => lang.pick(
                format!("HQ package {sequence} is installed here already: nothing changed."),
                format!("Пакет ЦО № {sequence} уже установлен здесь: ничего не изменилось."),
            ),
            CaMessage::Pinned { chain, fingerprint } => lang.pick(
                format!("From now on this store trusts only packages signed by the CA of «{chain}» ({}).", fingerprint_shown(fingerprint)),
                format!("Теперь магазин доверяет только пакетам, подписанным УЦ сети «{chain}» ({}).", fingerprint_shown(fingerprint)),
            ),
            CaMessage::CertificateInstalled { auditor, until } => lang.pick(
                format!("{auditor}'s certificate issued by HQ is in place (valid until {until}): the next reports {auditor} signs verify as issued by the chain."),
                format!("Сертификат {auditor}, выданный ЦО, установлен (действует до {until}): следующие отчёты, которые подпишет {auditor}, проверяются как выданные сетью."),
            ),
            CaMessage::StandardPublished { code, version, requirements, created } => match created {
                true => lang.pick(
                    format!("Standard {code} version {version} ({requirements} requirements) is published at HQ; it goes to the stores in the next HQ package."),
                    format!("Стандарт {code} версии {version} (требований: {requirements}) опубликован в ЦО; он уйдёт в магазины со следующим пакетом ЦО."),
                ),
                false => lang.pick(
                    format!("Standard {code} version {version} is at HQ already, with the same content: nothing changed."),
                    format!("Стандарт {code} версии {version} уже есть в ЦО с тем же содержимым: ничего не изменилось."),
                ),
            },
            CaMessage::Pushed { url, bundles, sent, present } => match bundles {
                0 => lang.pick(
                    format!("Nothing to send to {url}: HQ has every bundle."),
                    format!("Отправлять на {url} нечего: у ЦО есть все пакеты."),
                ),
                _ => lang.pick(
                    format!("Sent to {url}: {bundles} bundles; audits new to HQ: {sent}, HQ had already: {present}."),
                    format!("Отправлено на {url}: пакетов: {bundles}; новых для ЦО проверок: {sent}, уже были в ЦО: {present}."),
                ),
            },
            CaMessage::PushMissing { file } => lang.pick(
                format!("{file} is no longer there, so it was not sent; carry it to HQ by hand if HQ lists it as missing."),
                format!("{file} больше нет на месте, поэтому он не отправлен; если ЦО числит его пропавшим, передайте его вручную."),
            ),
            CaMessage::PullUpToDate { url } => lang.pick(
                format!("The HQ package installed here is the latest at {url}."),
                format!("Установленный здесь пакет ЦО — последний на {url}."),
            ),
            CaMessage::PullNone { url } => lang.pick(
                format!("HQ has made no package yet ({url})."),
                format!("ЦО ещё не создал пакет ({url})."),
            ),
            CaMessage::StoreNamed { code, name, added } => match added {
                true => lang.pick(
                    format!("Store {code} «{name}» is added to HQ's directory."),
                    format!("Магазин {code} «{name}» добавлен в справочник ЦО."),
                ),
                false => lang.pick(
                    format!("Store {code} is now «{name}» in HQ's directory."),
                    format!("Магазин {code} теперь называется «{name}» в справочнике ЦО."),
                ),
            },
        }
    }
}
