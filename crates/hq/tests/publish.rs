//! HQ publishes standards and names stores for the HQ package: the same versions and ids as a
//! store's import gives, a version never reused for other content, HQ's names winning.

mod common;

use common::hq;
use storecheck_core::import::read_standard;
use storecheck_hq::HqError;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/standards")
        .join(name)
}

#[test]
fn a_standard_published_at_hq_has_a_stores_ids_and_a_version_is_never_reused() {
    let (_dir, mut hq) = hq();
    let draft = read_standard(&fixture("sample.json")).expect("standard");
    let first = hq.publish_standard(&draft).expect("publish");
    assert!(first.created);
    // The same ids a store's own import gives the same file.
    let store_dir = tempfile::tempdir().expect("dir");
    let mut store = storecheck_core::Db::open(
        &store_dir.path().join("s.db"),
        storecheck_core::db::Inputs::seeded(common::ticking(1_800_000_000), 1),
    )
    .expect("store");
    let at_store = store.publish_standard(&draft).expect("store import");
    assert_eq!(first.id, at_store.standard.id.to_string());
    assert_eq!(first.version, at_store.standard.version);
    // Again: nothing new.
    let again = hq.publish_standard(&draft).expect("again");
    assert_eq!(
        (again.created, again.id.as_str()),
        (false, first.id.as_str())
    );
    // Other content without a version: the next number; under the same version: refused.
    let mut changed = draft.clone();
    changed.title.push_str(" (2)");
    changed.version = None;
    let next = hq.publish_standard(&changed).expect("next");
    assert!(next.created);
    assert_ne!(next.version, first.version);
    changed.version = Some(first.version.clone());
    let refused = hq
        .publish_standard(&changed)
        .expect_err("same version, other content");
    let HqError::Ca(problem) = &refused else {
        panic!("{refused:?}")
    };
    let text = problem.text(storecheck_core::Lang::Ru);
    assert!(text.contains("другим содержимым"), "{text}");
    // The package carries the latest version of each code.
    let current = hq.current_standards().expect("current");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].version, next.version);
}

#[test]
fn hq_names_its_stores_and_its_names_win() {
    let (_dir, mut hq) = hq();
    let added = hq
        .name_store("MSK-01", "Тверская, 12", Some("Москва"))
        .expect("add");
    assert!(added.added);
    let renamed = hq
        .name_store("MSK-01", "Тверская, 14", Some("Центр"))
        .expect("rename");
    assert!(!renamed.added);
    let directory = hq.store_directory().expect("directory");
    assert_eq!(directory.len(), 1);
    assert_eq!(
        (directory[0].name.as_str(), directory[0].region.as_deref()),
        ("Тверская, 14", Some("Центр"))
    );
    assert!(matches!(
        hq.name_store(" ", "Без кода", None),
        Err(HqError::Missing { .. })
    ));
}
