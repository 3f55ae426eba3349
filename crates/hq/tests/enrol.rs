//! Store devices HQ enrols: once HQ has the chain's CA, a bundle is taken only from a device
//! whose key the CA certified for a store, not revoked. An unenrolled device is refused by
//! name and key fingerprint, nothing of its bundle is written, and it waits in HQ's list until
//! HQ enrols it; then the very same bundle is taken. A revoked device sends nothing more, and
//! what it sent before stays. Without a CA, devices are trusted on first use as before.

mod common;

use common::{Laptop, accept, hq, refuse};
use storecheck_core::Lang;
use storecheck_core::i18n::Text;
use storecheck_hq::ca::CertificateKind;
use storecheck_hq::enrol::DeviceState;
use storecheck_report::ca::{RevokeReason, fingerprint_shown};

#[test]
fn a_device_hq_did_not_enrol_is_refused_by_name_waits_and_is_taken_once_enrolled() {
    let (_dir, mut hq) = hq();
    hq.ca_init(Some("Ромашка")).expect("CA");
    let mut store = Laptop::new(1);
    let bundle = store.export();
    let fingerprint = store.key.key_id();
    let device = store.db.device_name().expect("name");

    let why = refuse(&mut hq, &bundle);
    assert!(
        why.contains(&format!(
            "device {device} ({}) is not enrolled at HQ",
            fingerprint_shown(&fingerprint)
        )),
        "the refusal names the device and its key: {why}"
    );
    assert!(
        hq.audits(None).expect("audits").is_empty(),
        "nothing written"
    );

    // Said in both languages, with what to ask HQ for.
    let ru = hq.import_file(&bundle, Lang::Ru).expect("import runs");
    assert!(
        ru.refused[0].reason.contains("не зарегистрировано в ЦО"),
        "{:?}",
        ru.refused
    );
    let en = hq.import_file(&bundle, Lang::En).expect("import runs");
    let hint = en.refused[0].hint.clone().unwrap_or_default();
    assert!(
        hint.contains(&format!(
            "storecheck hq device enrol {fingerprint} --store MSK-01"
        )),
        "the hint is the command HQ runs: {hint}"
    );
    assert!(
        en.refused[0].waits_for_enrolment,
        "a store keeps it to send again"
    );
    // The import log has every attempt.
    let log = hq.imports(10, Lang::En).expect("log");
    assert_eq!(log.len(), 3);
    assert!(log[0].refused.to_string().contains("is not enrolled at HQ"));
    assert_eq!(
        log[0].device_name.as_deref(),
        Some(device.as_str()),
        "a refused device by its name, from the waiting list"
    );

    // The waiting list: the device, its key, the store its bundle named, how often.
    let devices = hq.devices().expect("devices");
    assert_eq!(devices.len(), 1, "{devices:?}");
    let waiting = &devices[0];
    assert_eq!(waiting.state, DeviceState::Waiting);
    assert!(waiting.state.pending());
    assert_eq!(waiting.fingerprint, fingerprint);
    assert_eq!(waiting.fingerprint_shown, fingerprint_shown(&fingerprint));
    assert_eq!(waiting.name, device);
    assert_eq!(waiting.device_id, store.db.device().to_string());
    assert_eq!(waiting.stores_named, ["MSK-01"]);
    assert_eq!(waiting.refused, 3);
    assert!(waiting.last_refused_at.is_some());

    // Enrolled by the fingerprint as the store reads it (groups of four, any case).
    let enrolled = hq
        .enrol_device(&fingerprint_shown(&fingerprint).to_lowercase(), "MSK-01")
        .expect("enrol");
    assert!(enrolled.issued);
    assert_eq!(enrolled.fingerprint, fingerprint);
    let again = hq.enrol_device(&fingerprint, "MSK-01").expect("again");
    assert!(!again.issued, "enrolled once for a store");
    assert_eq!(again.serial, enrolled.serial);

    // The very bundle refused before is taken now.
    let (added, _) = accept(&mut hq, &bundle);
    assert!(added > 0);
    let devices = hq.devices().expect("devices");
    assert_eq!(devices.len(), 1, "one device, by its key: {devices:?}");
    assert_eq!(devices[0].state, DeviceState::Enrolled);
    assert_eq!(devices[0].store.as_deref(), Some("MSK-01"));
    assert_eq!(devices[0].serial.as_deref(), Some(enrolled.serial.as_str()));

    // `hq ca list` shows its certificate; the HQ package carries it.
    let listed = hq.ca_list().expect("list");
    let cert = listed
        .iter()
        .find(|c| c.serial == enrolled.serial)
        .expect("listed");
    assert_eq!(cert.kind, CertificateKind::Device);
    assert_eq!(
        (cert.auditor.as_str(), cert.store.as_str()),
        (device.as_str(), "MSK-01")
    );
    let (_, made) = hq.make_package().expect("package");
    assert_eq!(
        made.certificates, 1,
        "the device's certificate goes to the stores"
    );
}

#[test]
fn a_revoked_device_sends_nothing_more_and_what_it_sent_stays() {
    let (_dir, mut hq) = hq();
    hq.ca_init(Some("Ромашка")).expect("CA");
    let mut store = Laptop::new(2);
    let first = store.export();
    refuse(&mut hq, &first);
    // Enrolled by its device id: the key HQ holds from its refused bundle.
    let enrolled = hq
        .enrol_device(&store.db.device().to_string(), "MSK-01")
        .expect("enrol");
    accept(&mut hq, &first);
    let held = hq.audits(None).expect("audits");
    assert!(!held.is_empty());

    let revoked = hq
        .ca_revoke(&enrolled.serial, Some(RevokeReason::KeyLost))
        .expect("revoke");
    let at = revoked.revoked_at.expect("revoked");
    // Of the store it is enrolled for (the demo's draft is of another).
    store.completed("MSK-01");
    let second = store.export();
    let why = refuse(&mut hq, &second);
    assert!(
        why.contains(&format!("was revoked on {at}")),
        "when it was revoked: {why}"
    );
    assert!(
        why.contains(&RevokeReason::KeyLost.text(Lang::En)),
        "and why: {why}"
    );
    let outcome = hq.import_file(&second, Lang::En).expect("import runs");
    assert!(
        outcome.refused[0].hint.is_some(),
        "it says what to do about it"
    );
    assert_eq!(
        hq.audits(None).expect("audits"),
        held,
        "the audits it sent before it was revoked stay"
    );
    // A bundle taken before is still answered as already present: nothing new is written.
    let again = hq.import_file(&first, Lang::En).expect("import runs");
    assert!(again.refused.is_empty());
    assert_eq!(again.added, 0);

    let devices = hq.devices().expect("devices");
    assert_eq!(devices[0].state, DeviceState::Revoked);
    assert_eq!(devices[0].revoke_reason, Some(RevokeReason::KeyLost));
    assert!(
        !devices[0].state.pending(),
        "a revoked device is not waiting"
    );

    // The revocation reaches the stores: no longer in the package, named in its CRL.
    let (_, made) = hq.make_package().expect("package");
    assert_eq!((made.certificates, made.revoked), (0, 1));

    // Enrolled anew, it sends again.
    hq.enrol_device(&store.key.key_id(), "MSK-01")
        .expect("enrol again");
    accept(&mut hq, &second);
}

#[test]
fn without_a_ca_devices_are_trusted_on_first_use_and_a_ca_made_later_asks_for_enrolment() {
    let (_dir, mut hq) = hq();
    let mut store = Laptop::new(3);
    let first = store.export();
    let (added, _) = accept(&mut hq, &first);
    assert!(added > 0, "no CA: taken as before");
    let devices = hq.devices().expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].state, DeviceState::NotEnrolled);
    assert!(
        hq.enrol_device(&store.key.key_id(), "MSK-01").is_err(),
        "no CA, nothing to enrol with"
    );

    hq.ca_init(Some("Ромашка")).expect("CA");
    // Of the store it is enrolled for (the demo's draft is of another).
    store.completed("MSK-01");
    let second = store.export();
    let why = refuse(&mut hq, &second);
    assert!(why.contains("is not enrolled at HQ"), "{why}");
    // A store database file or a signed PDF is not a bundle: taken as before.
    let whole = hq
        .import_file(&store.db_path(), Lang::En)
        .expect("import runs");
    assert!(whole.refused.is_empty(), "{:?}", whole.refused);
    assert!(whole.added > 0);

    // Unknown devices and stores are refused with what to do.
    let unknown = hq
        .enrol_device(&"ab".repeat(32), "MSK-01")
        .expect_err("unknown key");
    assert!(unknown.text(Lang::En).contains("knows no store device"));
    let unknown_store = hq
        .enrol_device(&store.key.key_id(), "NOWHERE")
        .expect_err("unknown store");
    assert!(
        unknown_store
            .text(Lang::En)
            .contains("knows no store «NOWHERE»")
    );
    hq.enrol_device(&store.key.key_id(), "MSK-01")
        .expect("enrol");
    accept(&mut hq, &second);
}

#[test]
fn an_hq_of_schema_4_keeps_its_certificates_and_knows_the_servers_for_what_they_are() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("hq.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        for sql in [
            include_str!("../src/0001_hq.sql"),
            include_str!("../src/0002_dashboard.sql"),
            include_str!("../src/0003_ca.sql"),
            include_str!("../src/0004_store_sections.sql"),
        ] {
            conn.execute_batch(sql).expect("schema 4");
        }
        conn.pragma_update(None, "application_id", 0x5343_4851)
            .expect("id");
        conn.pragma_update(None, "user_version", 4)
            .expect("version");
        for (serial, who, store) in [
            ("01aa", "HQ server: 10.0.0.5", ""),
            ("02bb", "Анна Смирнова", "MSK-01"),
        ] {
            conn.execute(
                "INSERT INTO ca_certificate (id, serial, auditor, store_code, key_sha256,
                    not_before, not_after, der, device_id, created_at)
                 VALUES (?1, ?1, ?2, ?3, 'k', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z',
                    x'00', 'hq', ?4)",
                rusqlite::params![serial, who, store, format!("2026-01-0{}", serial.len())],
            )
            .expect("certificate");
        }
    }
    let clock = common::ticking(common::START);
    let hq = storecheck_hq::HqDb::open(
        &path,
        clock.clone(),
        storecheck_core::db::Ids::seeded(clock, 5),
    )
    .expect("upgraded");
    let mut kinds: Vec<(String, CertificateKind)> = hq
        .ca_list()
        .expect("list")
        .into_iter()
        .map(|c| (c.serial, c.kind))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kinds,
        [
            ("01aa".to_string(), CertificateKind::Server),
            ("02bb".to_string(), CertificateKind::Auditor)
        ],
        "the server's certificate (no store) is the server's; the others are auditors'"
    );
    assert!(hq.devices().expect("devices").is_empty());
}

#[test]
fn with_a_ca_a_devices_new_key_waits_for_enrolment_and_a_key_speaks_for_its_own_device_only() {
    let (_dir, mut hq) = hq();
    hq.ca_init(Some("Ромашка")).expect("CA");
    let mut store = Laptop::new(6);
    store.key = storecheck_sync::DeviceKey::from_seed([1; 32]).expect("key");
    let first = store.export();
    refuse(&mut hq, &first);
    let device_id = store.db.device().to_string();
    hq.enrol_device(&device_id, "MSK-01").expect("enrol");
    accept(&mut hq, &first);

    // The laptop's key is lost and made anew under the same device: not "another key than
    // HQ knows" for good, but a key waiting for HQ to enrol it.
    store.key = storecheck_sync::DeviceKey::from_seed([2; 32]).expect("key");
    let new_key = store.key.key_id();
    // Of the store it is enrolled for (the demo's draft is of another).
    store.completed("MSK-01");
    let second = store.export();
    let why = refuse(&mut hq, &second);
    assert!(
        why.contains(&format!(
            "({}) is not enrolled at HQ",
            fingerprint_shown(&new_key)
        )),
        "{why}"
    );
    let devices = hq.devices().expect("devices");
    assert_eq!(devices.len(), 2, "both keys of the device: {devices:?}");
    assert_eq!(devices[0].fingerprint, new_key, "the waiting one first");
    assert_eq!(devices[0].state, DeviceState::Waiting);
    let ambiguous = hq
        .enrol_device(&device_id, "MSK-01")
        .expect_err("two keys under one device id");
    assert!(
        ambiguous.text(Lang::En).contains("more than one key"),
        "{}",
        ambiguous.text(Lang::En)
    );
    hq.enrol_device(&new_key, "MSK-01")
        .expect("enrol the new key");
    accept(&mut hq, &second);

    // Another laptop signing with an enrolled key, under its own device id: not enrolled.
    let mut other = Laptop::new(7);
    other.key = storecheck_sync::DeviceKey::from_seed([2; 32]).expect("key");
    let copied = other.export();
    let why = refuse(&mut hq, &copied);
    assert!(why.contains("is not enrolled at HQ"), "{why}");
}

#[test]
fn a_device_speaks_only_for_the_store_it_was_enrolled_for() {
    let (_dir, mut hq) = hq();
    hq.ca_init(Some("Ромашка")).expect("CA");
    let mut store = Laptop::new(5);
    let fingerprint = store.key.key_id();
    let device = store.db.device_name().expect("name");
    // The demo's completed audit is of MSK-01, the store the laptop is enrolled for.
    let first = store.export();
    refuse(&mut hq, &first);
    hq.enrol_device(&fingerprint, "MSK-01").expect("enrol");
    accept(&mut hq, &first);
    let held = hq.audits(None).expect("audits");

    // An audit of SPB-02 from it is refused, naming both stores; nothing of it is written.
    store.completed("SPB-02");
    let second = store.export();
    let why = refuse(&mut hq, &second);
    assert!(
        why.contains(&format!(
            "device {device} ({}) is enrolled for store MSK-01, and this bundle holds audits of SPB-02",
            fingerprint_shown(&fingerprint)
        )),
        "the refusal names the device, its store and the other: {why}"
    );
    assert_eq!(hq.audits(None).expect("audits"), held, "nothing written");
    let en = hq.import_file(&second, Lang::En).expect("import runs");
    assert!(
        en.refused[0].waits_for_enrolment,
        "the store keeps it to send again, as HQ decides"
    );
    // On HQ's list with the store it named.
    let devices = hq.devices().expect("devices");
    assert_eq!(devices[0].state, DeviceState::Enrolled);
    assert_eq!(devices[0].store.as_deref(), Some("MSK-01"));
    assert!(
        devices[0].stores_named.contains(&"SPB-02".to_string()),
        "{devices:?}"
    );
    let hint = en.refused[0].hint.clone().unwrap_or_default();
    assert!(
        hint.contains(&format!(
            "storecheck hq device enrol {fingerprint} --store SPB-02"
        )),
        "{hint}"
    );
    let ru = hq.import_file(&second, Lang::Ru).expect("import runs");
    assert!(
        ru.refused[0]
            .reason
            .contains("зарегистрировано для магазина MSK-01, а в пакете проверки магазина SPB-02"),
        "{:?}",
        ru.refused
    );

    // The laptop moves to SPB-02: enrolled there, the same file is taken, and it no longer
    // speaks for MSK-01.
    hq.enrol_device(&fingerprint, "SPB-02").expect("enrol");
    let (added, _) = accept(&mut hq, &second);
    assert_eq!(added, 1);
    store.completed("MSK-01");
    let third = store.export();
    let before = hq.audits(None).expect("audits");
    let why = refuse(&mut hq, &third);
    assert!(
        why.contains("is enrolled for store SPB-02, and this bundle holds audits of MSK-01"),
        "{why}"
    );
    assert_eq!(hq.audits(None).expect("audits"), before);
}
