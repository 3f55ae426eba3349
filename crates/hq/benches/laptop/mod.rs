//! A store laptop for the HQ benchmarks (`hq_import` here, `hq_push` of the command line): a
//! store database with the demo and a device key, making signed audits with 3 photos and
//! exporting them as the app does. The photos are prepared once; each audit's originals are
//! made distinct by a JPEG comment naming it, so every photo is a file of its own, as real ones
//! are.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use storecheck_core::audit::NewAudit;
use storecheck_core::db::Inputs;
use storecheck_core::model::ShiftPart;
use storecheck_core::photo::{Limits, PreparedPhoto, prepare};
use storecheck_core::{Db, Lang};
use storecheck_sync::DeviceKey;
use storecheck_sync::export::export;
use uuid::Uuid;

const ANSWERS_PASS: &[u8] = include_bytes!("../../../../fixtures/answers/demo-fashion-pass.csv");
/// The requirements of the demo standard the passing answers need a photo for.
const PHOTO_CODES: [&str; 3] = ["2.1", "3.1", "3.5"];

pub const GB: f64 = 1_073_741_824.0;
pub const MB: f64 = 1_048_576.0;

/// A count from the environment, or `default`; exits when it is not a count.
pub fn env_count(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| {
            eprintln!("{name}={v} is not a count");
            std::process::exit(2);
        }),
        Err(_) => default,
    }
}

/// Says why the benchmark cannot go on, and exits.
pub fn fail(what: &str) -> ! {
    eprintln!("{what}");
    std::process::exit(2);
}

/// Bytes free under `dir`, as `df` says.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The three photos every audit carries, prepared as the app prepares an attachment.
pub struct Photos {
    pub bases: Vec<PreparedPhoto>,
    /// "given photos" or "generated pictures".
    pub from: String,
    /// The three originals' bytes.
    pub original_bytes: usize,
    /// The three display copies' and thumbnails' bytes.
    pub copies_bytes: usize,
}

impl Photos {
    /// The first three JPEGs of `STORECHECK_BENCH_HQ_PHOTOS`, or three generated pictures.
    pub fn load() -> Photos {
        let (sources, from) = originals();
        let bases: Vec<PreparedPhoto> = sources
            .into_iter()
            .map(|(name, bytes)| {
                prepare(&name, bytes, &Limits::default()).expect("prepare a photo")
            })
            .collect();
        Photos {
            original_bytes: bases.iter().map(|p| p.original.len()).sum(),
            copies_bytes: bases
                .iter()
                .map(|p| p.display.bytes.len() + p.thumb.bytes.len())
                .sum(),
            bases,
            from,
        }
    }
}

/// The same photo with a JPEG comment segment naming `tag` right after SOI: another file, the
/// same picture. The display copy and thumbnail stay those of the base.
fn distinct(base: &PreparedPhoto, tag: &str) -> PreparedPhoto {
    let mut bytes = Vec::with_capacity(base.original.len() + tag.len() + 4);
    bytes.extend_from_slice(&base.original[..2]);
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    bytes.extend_from_slice(&((tag.len() + 2) as u16).to_be_bytes());
    bytes.extend_from_slice(tag.as_bytes());
    bytes.extend_from_slice(&base.original[2..]);
    PreparedPhoto {
        sha256: hex(&Sha256::digest(&bytes)),
        original: bytes,
        ..base.clone()
    }
}

/// A 3264×2448 picture, smooth with a little noise, as a JPEG of about 1.5 MB: used when no
/// photos are given.
fn generated_photo(seed: u32) -> Vec<u8> {
    let (w, h) = (3264u32, 2448u32);
    let mut s = seed.wrapping_mul(2_654_435_761) | 1;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s % 17) as f32 - 8.0;
        let t = (x as f32 / w as f32, y as f32 / h as f32);
        let wave = ((t.0 * 9.0 + seed as f32).sin() * (t.1 * 7.0).cos() * 60.0) + 128.0;
        let c = |v: f32| v.clamp(0.0, 255.0) as u8;
        image::Rgb([c(wave + n), c(200.0 * t.1 + n), c(255.0 - wave * 0.8 + n)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&img)
        .expect("encode a generated photo");
    out
}

/// The three originals: the first three JPEGs of `STORECHECK_BENCH_HQ_PHOTOS`, or generated.
fn originals() -> (Vec<(String, Vec<u8>)>, String) {
    if let Some(dir) = std::env::var_os("STORECHECK_BENCH_HQ_PHOTOS") {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", Path::new(&dir).display())))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
            .collect();
        paths.sort();
        if paths.len() >= 3 {
            let photos = paths[..3]
                .iter()
                .map(|p| {
                    let name = p
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    (name, std::fs::read(p).expect("read a photo"))
                })
                .collect();
            return (photos, "given photos".into());
        }
        eprintln!(
            "{} holds fewer than 3 JPEGs; generating the photos",
            Path::new(&dir).display()
        );
    }
    let photos = (1..=3)
        .map(|i| (format!("generated-{i}.jpg"), generated_photo(i)))
        .collect();
    (photos, "generated pictures".into())
}

/// One store laptop: its database (in a folder of its own) and its device key.
pub struct Laptop {
    pub db: Db,
    pub key: DeviceKey,
}

impl Laptop {
    /// A new laptop in `dir` with the demo loaded. The demo's own completed audit is exported
    /// (and thrown away) here, so every bundle made later carries exactly the audits made
    /// after it.
    pub fn new(dir: &Path) -> Laptop {
        let mut db = Db::open(&dir.join("store.db"), Inputs::system(None)).expect("open store");
        db.load_demo(Lang::Ru).expect("demo");
        let key = DeviceKey::load_or_create(&db.keys_dir().expect("keys"), db.ids()).expect("key");
        let scratch = dir.join("scratch");
        export(&mut db, &scratch, false, &key).expect("export the demo's audit");
        let _ = std::fs::remove_dir_all(&scratch);
        Laptop { db, key }
    }

    /// A completed audit of `store` on `shift_date`, filled with the demo's passing answers,
    /// with the 3 photos made distinct by `tag`, signed by its auditor.
    pub fn signed_audit(
        &mut self,
        store: &str,
        shift_date: chrono::NaiveDate,
        shift: ShiftPart,
        photos: &Photos,
        tag: &str,
    ) -> Uuid {
        let db = &mut self.db;
        let id = db
            .create_audit(&NewAudit {
                store_code: store.into(),
                shift_date: shift_date.to_string(),
                shift,
                auditor: "Анна Смирнова".into(),
                observed: Some("Ольга Петрова".into()),
                standard: None,
            })
            .expect("audit");
        db.fill_from_csv(id, "pass.csv", ANSWERS_PASS)
            .expect("fill");
        for (code, base) in PHOTO_CODES.iter().zip(&photos.bases) {
            let photo = distinct(base, &format!("storecheck bench {tag} {code}"));
            db.attach_photos(id, code, &[photo]).expect("attach");
        }
        db.complete_audit(id).expect("complete");
        storecheck_report::sign_audit(
            db,
            id,
            &storecheck_report::SignRequest {
                signer: "Анна Смирнова".into(),
                lang: Lang::Ru,
                drawn: None,
                acknowledged_by: None,
                acknowledgement: None,
                utc_offset: chrono::FixedOffset::east_opt(3 * 3600).expect("offset"),
            },
            chrono::Utc::now(),
        )
        .expect("sign");
        id
    }

    /// Exports what is new into `out` as one bundle, returning its path and its audits.
    pub fn export(&mut self, out: &Path) -> (PathBuf, usize) {
        let done = export(&mut self.db, out, false, &self.key).expect("export");
        (PathBuf::from(done.file.expect("a bundle")), done.audits)
    }
}
