//! Photos through the core's public API: every format, EXIF orientation, dedupe, every kind of
//! bad file (refused with its name and reason, nothing written), crash safety of an attachment,
//! and the completion gate. Every image is made here; none is stored in the repository.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use storecheck_core::audit::{AnswerInput, NewAudit};
use storecheck_core::db::Inputs;
use storecheck_core::error::MissingWhat;
use storecheck_core::import::parse_standard;
use storecheck_core::model::{Response, ShiftPart};
use storecheck_core::photo::{Limits, PhotoStore, PreparedPhoto, Variant, prepare, prepare_file};
use storecheck_core::{Db, Error, ErrorCode, Lang};
use uuid::Uuid;

const STANDARD: &str = "#code: PH\n#title: Photo rules\n#version: 1\n\
section,code,requirement,kind,photo,na\n\
Floor,P.1,Uniform worn,check,required,yes\n\
Floor,P.2,Price tags,check,required-on-fail,yes\n\
Floor,P.3,Window clean,check,optional,yes\n\
Floor,P.4,Greeting,check,none,yes\n";

struct Fixture {
    dir: tempfile::TempDir,
    db: Db,
    audit: Uuid,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(|| {
            Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
                .single()
                .expect("time")
        });
        let mut db = Db::open(&dir.path().join("s.db"), Inputs::seeded(clock, 1)).expect("open");
        let draft = parse_standard("ph.csv", STANDARD.as_bytes()).expect("standard");
        db.publish_standard(&draft).expect("publish");
        db.add_store("S1", "Store", None).expect("store");
        let audit = db
            .create_audit(&NewAudit {
                store_code: "S1".into(),
                shift_date: "2026-11-22".into(),
                shift: ShiftPart::Day,
                auditor: "A".into(),
                observed: None,
                standard: None,
            })
            .expect("audit");
        Fixture { dir, db, audit }
    }

    fn store(&self) -> PhotoStore {
        PhotoStore::beside(&self.dir.path().join("s.db"))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    fn attach(&mut self, code: &str, name: &str, bytes: &[u8]) -> storecheck_core::Result<()> {
        let path = self.write(name, bytes);
        let p = prepare_file(&path, &Limits::default())?;
        self.db.attach_photos(self.audit, code, &[p]).map(|_| ())
    }

    fn answer(&mut self, code: &str, r: Response) {
        self.db
            .save_answer(
                self.audit,
                code,
                &AnswerInput {
                    response: Some(r),
                    note: None,
                },
            )
            .expect("answer");
    }

    fn photo_rows(&self) -> i64 {
        self.db
            .connection()
            .query_row("SELECT count(*) FROM photo", [], |r| r.get(0))
            .expect("count")
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let root = self.store().root().to_path_buf();
        if let Ok(dirs) = std::fs::read_dir(&root) {
            for d in dirs.flatten() {
                for f in std::fs::read_dir(d.path()).expect("read dir").flatten() {
                    out.push(f.path());
                }
            }
        }
        out.sort();
        out
    }
}

/// A picture with a red top-left quarter on blue, so turning it shows where the corner went.
fn marked(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        if x < w / 2 && y < h / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 40, 200])
        }
    })
}

fn jpeg(img: &RgbImage, progressive: bool) -> Vec<u8> {
    let mut c = turbojpeg::Compressor::new().expect("compressor");
    c.set_quality(90).expect("quality");
    c.set_progressive(progressive).expect("progressive");
    c.compress_to_vec(turbojpeg::Image {
        pixels: img.as_raw().as_slice(),
        width: img.width() as usize,
        pitch: 3 * img.width() as usize,
        height: img.height() as usize,
        format: turbojpeg::PixelFormat::RGB,
    })
    .expect("encode jpeg")
}

/// A JPEG with an EXIF segment carrying `orientation` and a GPS pointer, as phones write.
fn jpeg_with_exif(img: &RgbImage, orientation: u16) -> Vec<u8> {
    let plain = jpeg(img, false);
    // TIFF, little-endian: IFD0 with Orientation (0x0112) and GPSInfo (0x8825) pointing at an
    // IFD with GPSLatitudeRef = "N".
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes()); // LONG
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes()); // offset of the GPS IFD
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn png_rgba(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .expect("encode png");
    out
}

fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).expect("decode").into_rgb8()
}

fn is_red(p: &Rgb<u8>) -> bool {
    p.0[0] > 150 && p.0[2] < 100
}

#[test]
fn a_large_jpeg_gets_a_display_copy_and_a_thumbnail_and_the_original_stays_unchanged() {
    let mut f = Fixture::new();
    let bytes = jpeg(&marked(3200, 2400), false);
    let path = f.write("IMG_0001.JPG", &bytes);
    let p = prepare_file(&path, &Limits::default()).expect("prepare");
    assert_eq!((p.width, p.height), (3200, 2400));
    assert_eq!((p.display.width, p.display.height), (1600, 1200));
    assert_eq!((p.thumb.width, p.thumb.height), (320, 240));
    let saved = f.db.attach_photos(f.audit, "P.1", &[p]).expect("attach");
    let photo = &saved.photos[0];
    assert_eq!(photo.file_name, "IMG_0001.JPG");
    assert_eq!((photo.width, photo.height), (1600, 1200));
    assert_eq!((photo.original_width, photo.original_height), (3200, 2400));
    let store = f.store();
    let original = std::fs::read(store.path(
        &photo.sha256,
        Variant::Original(storecheck_core::photo::Format::Jpeg),
    ))
    .expect("original stored");
    assert_eq!(original, bytes, "the original is kept byte for byte");
    use sha2::Digest;
    let hash = sha2::Sha256::digest(&bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(photo.sha256, hex, "named by its SHA-256");
    let display =
        decode(&std::fs::read(store.path(&photo.sha256, Variant::Display)).expect("display"));
    assert_eq!(display.dimensions(), (1600, 1200));
    assert!(is_red(display.get_pixel(100, 100)) && !is_red(display.get_pixel(1500, 1100)));
    let thumb = decode(&std::fs::read(store.path(&photo.sha256, Variant::Thumb)).expect("thumb"));
    assert_eq!(thumb.dimensions(), (320, 240));
    assert!(
        !saved
            .missing
            .iter()
            .any(|m| m.code == "P.1" && m.what == MissingWhat::Photo),
        "the required photo is there now"
    );
}

#[test]
fn a_small_photo_is_not_upscaled() {
    let p = prepare(
        "small.jpg",
        jpeg(&marked(800, 600), false),
        &Limits::default(),
    )
    .expect("prepare");
    assert_eq!((p.display.width, p.display.height), (800, 600));
    assert_eq!((p.thumb.width, p.thumb.height), (320, 240));
}

#[test]
fn progressive_jpeg_png_with_alpha_and_webp_are_taken() {
    let progressive = jpeg(&marked(2000, 1000), true);
    let p = prepare("prog.jpg", progressive, &Limits::default()).expect("progressive JPEG");
    assert_eq!((p.display.width, p.display.height), (1600, 800));

    // Transparent pixels become white, as a viewer shows them; opaque ones keep their colour.
    let rgba = RgbaImage::from_fn(400, 300, |x, _| {
        if x < 200 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([20, 160, 40, 255])
        }
    });
    let p = prepare("alpha.png", png_rgba(&rgba), &Limits::default()).expect("PNG");
    let d = decode(&p.display.bytes);
    assert!(
        d.get_pixel(50, 150).0.iter().all(|&c| c > 240),
        "transparent → white"
    );
    let g = d.get_pixel(350, 150).0;
    assert!(g[1] > 120 && g[0] < 80, "opaque green stays green: {g:?}");

    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(
            marked(640, 480).as_raw(),
            640,
            480,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode webp");
    let p = prepare("shelf.webp", webp, &Limits::default()).expect("WebP");
    assert_eq!(p.format, storecheck_core::photo::Format::Webp);
    assert!(is_red(decode(&p.display.bytes).get_pixel(10, 10)));
}

#[test]
fn a_cmyk_jpeg_is_taken_with_its_colours() {
    // Pure red in CMYK: C=0, M=Y=100 %, K=0. libjpeg writes CMYK inverted, as Adobe does.
    let (w, h) = (300usize, 200usize);
    let pixels: Vec<u8> = (0..w * h).flat_map(|_| [255u8, 0, 0, 255]).collect();
    let mut c = turbojpeg::Compressor::new().expect("compressor");
    c.set_quality(90).expect("quality");
    c.set_subsamp(turbojpeg::Subsamp::None).expect("subsamp");
    let bytes = c
        .compress_to_vec(turbojpeg::Image {
            pixels: pixels.as_slice(),
            width: w,
            pitch: 4 * w,
            height: h,
            format: turbojpeg::PixelFormat::CMYK,
        })
        .expect("encode CMYK");
    let p = prepare("print.jpg", bytes, &Limits::default()).expect("CMYK JPEG");
    let px = *decode(&p.display.bytes).get_pixel(150, 100);
    assert!(is_red(&px), "CMYK red must come out red, got {px:?}");
}

#[test]
fn exif_orientation_is_applied_and_metadata_is_not_carried_over() {
    // Orientation 3: turned 180°; 6: the camera was turned 90° clockwise; 8: 90° the other way.
    // The red marker starts top-left in the stored pixels.
    for (orientation, size, red_at) in [
        (3u16, (400, 200), (390, 190)),
        (6, (200, 400), (190, 10)),
        (8, (200, 400), (10, 390)),
    ] {
        let bytes = jpeg_with_exif(&marked(400, 200), orientation);
        let p = prepare("turned.jpg", bytes, &Limits::default()).expect("prepare");
        assert_eq!(
            (p.width, p.height),
            size,
            "orientation {orientation}: size after turning"
        );
        let d = decode(&p.display.bytes);
        assert_eq!(d.dimensions(), size, "orientation {orientation}");
        assert!(
            is_red(d.get_pixel(red_at.0, red_at.1)),
            "orientation {orientation}: the red corner must be at {red_at:?}"
        );
        for copy in [&p.display.bytes, &p.thumb.bytes] {
            assert!(
                !copy.windows(6).any(|w| w == b"Exif\0\0"),
                "no EXIF (and so no GPS) in the copies"
            );
        }
    }
}

#[test]
fn the_same_file_is_stored_once_and_attached_once_per_requirement() {
    let mut f = Fixture::new();
    let bytes = jpeg(&marked(1000, 800), false);
    f.attach("P.1", "a.jpg", &bytes).expect("first");
    f.attach("P.1", "copy-of-a.jpg", &bytes)
        .expect("same file again");
    assert_eq!(f.photo_rows(), 1, "attached once to the same requirement");
    f.attach("P.3", "a.jpg", &bytes)
        .expect("same file, another requirement");
    assert_eq!(f.photo_rows(), 2);
    assert_eq!(
        f.files().len(),
        3,
        "one original, one display copy, one thumbnail"
    );
    let files: i64 =
        f.db.connection()
            .query_row("SELECT count(*) FROM photo_file", [], |r| r.get(0))
            .expect("count");
    assert_eq!(files, 1);
}

/// One bad file: the error names it and says why, in both languages, and nothing is written.
fn refused(name: &str, bytes: &[u8], en: &str, ru: &str) {
    let mut f = Fixture::new();
    let err = f.attach("P.1", name, bytes).expect_err(name);
    assert_eq!(err.code(), ErrorCode::InvalidPhoto, "{name}: {err}");
    let text = err.message(Lang::En);
    assert!(text.contains(name) && text.contains(en), "{name}: {text}");
    let text = err.message(Lang::Ru);
    assert!(text.contains(name) && text.contains(ru), "{name}: {text}");
    assert!(err.hint(Lang::En).is_some(), "{name}: says what to do");
    assert_eq!(f.photo_rows(), 0, "{name}: no row");
    assert!(f.files().is_empty(), "{name}: no file: {:?}", f.files());
}

#[test]
fn bad_files_are_refused_with_their_name_and_reason_and_leave_nothing_behind() {
    let good = jpeg(&marked(1200, 900), false);
    refused("empty.jpg", b"", "empty", "пуст");
    refused("cut.jpg", &good[..good.len() / 2], "cut short", "обрезан");
    let png = png_rgba(&RgbaImage::from_pixel(600, 400, Rgba([1, 2, 3, 255])));
    refused("cut.png", &png[..png.len() / 2], "cut short", "обрезан");
    let mut scrambled = good.clone();
    for b in scrambled.iter_mut().skip(600).take(4000) {
        *b = 0xFF;
    }
    refused("scrambled.jpg", &scrambled, "damaged", "повреждён");
    refused(
        "random.jpg",
        &[7u8; 5000],
        "does not start like a JPEG",
        "повреждён",
    );
    refused(
        "notes.txt",
        b"shelf 3 is empty",
        "not an image",
        "не изображение",
    );
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0u8; 200]);
    refused(
        "IMG_4242.HEIC",
        &heic,
        "Export it as JPEG",
        "Сохраните его как JPEG",
    );
    refused(
        "IMG_4243.jpg",
        &heic,
        "HEIC photos are not supported",
        "HEIC",
    );
    refused(
        "anim.gif",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        "GIF",
        "GIF",
    );
    refused(
        "photo.jpg",
        &png,
        "named .jpg but its contents are PNG",
        ".jpg",
    );
}

/// A PNG whose header declares `w`×`h` pixels, with almost no data behind it.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc(&chunk).to_be_bytes());
    let idat = b"IDATx\x9c\x03\x00\x00\x00\x00\x01";
    out.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    out.extend_from_slice(idat);
    out.extend_from_slice(&crc(idat).to_be_bytes());
    out
}

/// A real small JPEG whose frame header is rewritten to declare `w`×`h`.
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = jpeg(&marked(64, 64), false);
    let sof = bytes
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("baseline frame header");
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

#[test]
fn decompression_bombs_and_oversized_files_are_refused_before_decoding() {
    refused(
        "bomb.png",
        &png_declaring(100_000, 100_000),
        "100000×100000",
        "100000×100000",
    );
    refused(
        "bomb.jpg",
        &jpeg_declaring(60_000, 60_000),
        "60000×60000",
        "мегапикселей",
    );
    // The byte limit is checked from the file's size, before it is read.
    let f = Fixture::new();
    let path = f.write("huge.jpg", &jpeg(&marked(500, 500), false));
    let tiny = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let err = prepare_file(&path, &tiny).expect_err("over the byte limit");
    assert!(
        err.to_string().contains("huge.jpg") && err.to_string().contains("at most"),
        "{err}"
    );
}

#[test]
fn a_failed_attachment_leaves_neither_rows_nor_files() {
    let mut f = Fixture::new();
    let keep = jpeg(&marked(900, 600), false);
    f.attach("P.3", "kept.jpg", &keep)
        .expect("an earlier photo");
    let before = f.files();
    // The database refuses the write midway (as a full disk would): the files written for it go.
    f.db.connection()
        .execute_batch(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.photo
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .expect("trigger");
    let a = prepare("a.jpg", jpeg(&marked(1000, 700), false), &Limits::default()).expect("a");
    let b = prepare("b.jpg", jpeg(&marked(700, 1000), false), &Limits::default()).expect("b");
    let err =
        f.db.attach_photos(f.audit, "P.1", &[a.clone(), b])
            .expect_err("refused");
    assert!(err.to_string().contains("disk is full"), "{err}");
    assert_eq!(f.photo_rows(), 1, "only the earlier photo");
    let files: i64 =
        f.db.connection()
            .query_row("SELECT count(*) FROM photo_file", [], |r| r.get(0))
            .expect("count");
    assert_eq!(files, 1, "the photo_file rows rolled back with the rest");
    assert_eq!(
        f.files(),
        before,
        "the new files were removed, the earlier ones kept"
    );
    // Once the database takes writes again, the same photo attaches whole.
    f.db.connection()
        .execute_batch("DROP TRIGGER temp.refuse")
        .expect("drop");
    f.db.attach_photos(f.audit, "P.1", &[a])
        .expect("attach again");
    assert_eq!(f.files().len(), before.len() + 3);
}

#[test]
fn every_stored_photo_row_has_its_three_files_after_a_reopen() {
    let mut f = Fixture::new();
    f.attach("P.1", "one.jpg", &jpeg(&marked(1200, 900), false))
        .expect("attach");
    let path = f.dir.path().join("s.db");
    let audit = f.audit;
    drop(std::mem::replace(
        &mut f.db,
        Db::open_in_memory(Inputs::system(None)).expect("placeholder"),
    ));
    let db = Db::open(&path, Inputs::system(None)).expect("reopen");
    let photos = db.photos(audit).expect("photos");
    assert_eq!(photos.len(), 1);
    let store = f.store();
    for p in &photos {
        for v in [
            Variant::Original(storecheck_core::photo::Format::Jpeg),
            Variant::Display,
            Variant::Thumb,
        ] {
            assert!(store.path(&p.sha256, v).is_file(), "{v:?} of {}", p.sha256);
        }
    }
}

#[test]
fn completion_waits_for_required_photos() {
    let mut f = Fixture::new();
    for code in ["P.1", "P.2", "P.3", "P.4"] {
        f.answer(code, Response::Pass);
    }
    let err = f.db.complete_audit(f.audit).expect_err("P.1 needs a photo");
    match &err {
        Error::Incomplete { missing } => {
            let photos: Vec<&str> = missing
                .iter()
                .filter(|m| m.what == MissingWhat::Photo)
                .map(|m| m.code.as_str())
                .collect();
            assert_eq!(photos, ["P.1"], "P.2 passed, so it needs none");
        }
        other => panic!("expected Incomplete, got {other}"),
    }
    assert!(
        err.message(Lang::En).contains("photos missing for P.1"),
        "{err}"
    );
    // A failed required-on-fail requirement needs one too.
    f.answer("P.2", Response::Fail);
    let missing = f.db.load_audit(f.audit).expect("load").missing;
    let photos: Vec<&str> = missing
        .iter()
        .filter(|m| m.what == MissingWhat::Photo)
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(photos, ["P.1", "P.2"]);
    f.attach("P.1", "uniform.jpg", &jpeg(&marked(600, 400), false))
        .expect("P.1");
    f.attach("P.2", "tag.jpg", &jpeg(&marked(400, 600), false))
        .expect("P.2");
    let done = f.db.complete_audit(f.audit).expect("complete");
    assert_eq!(done.photos.len(), 2);
}

#[test]
fn not_applicable_needs_no_photo() {
    let mut f = Fixture::new();
    f.answer("P.1", Response::Na);
    let missing = f.db.load_audit(f.audit).expect("load").missing;
    assert!(
        !missing.iter().any(|m| m.what == MissingWhat::Photo),
        "{missing:?}"
    );
}

#[test]
fn captions_and_removal_work_only_while_the_audit_is_a_draft() {
    let mut f = Fixture::new();
    f.attach("P.3", "w.jpg", &jpeg(&marked(600, 400), false))
        .expect("attach");
    let id = f.db.photos(f.audit).expect("photos")[0].id;
    let p =
        f.db.set_photo_caption(id, "  Витрина у входа ")
            .expect("caption");
    assert_eq!(p.caption, "Витрина у входа");
    let err = f
        .attach("P.4", "greeting.jpg", &jpeg(&marked(600, 400), false))
        .expect_err("rule none");
    assert!(err.to_string().contains("takes no photos"), "{err}");
    for code in ["P.1", "P.2", "P.3", "P.4"] {
        f.answer(code, Response::Na);
    }
    f.db.complete_audit(f.audit).expect("complete");
    assert_eq!(
        f.db.set_photo_caption(id, "x").expect_err("locked").code(),
        ErrorCode::Locked
    );
    assert_eq!(
        f.db.remove_photo(id).expect_err("locked").code(),
        ErrorCode::Locked
    );
    let err = f
        .attach("P.3", "late.jpg", &jpeg(&marked(500, 400), false))
        .expect_err("locked");
    assert_eq!(err.code(), ErrorCode::Locked);
    // The schema refuses it too, whatever program writes.
    let direct = f.db.connection().execute("DELETE FROM photo", []);
    assert!(direct.is_err(), "a completed audit's photos stay");
    f.db.reopen_audit(f.audit).expect("reopen");
    f.db.remove_photo(id).expect("remove in a draft");
    assert!(f.db.photos(f.audit).expect("photos").is_empty());
    assert_eq!(f.files().len(), 3, "the file stays; others may share it");
}

#[test]
fn several_files_are_prepared_in_parallel_in_their_order() {
    let f = Fixture::new();
    let paths: Vec<PathBuf> = (0..5)
        .map(|i| {
            f.write(
                &format!("p{i}.jpg"),
                &jpeg(&marked(700 + i * 10, 500), false),
            )
        })
        .chain([f.write("bad.jpg", b"nope")])
        .collect();
    let results = storecheck_core::photo::prepare_files(&paths, &Limits::default());
    assert_eq!(results.len(), 6);
    for (i, r) in results.iter().take(5).enumerate() {
        let p: &PreparedPhoto = r.as_ref().expect("prepared");
        assert_eq!(p.file_name, format!("p{i}.jpg"));
        assert_eq!(p.width, 700 + i as u32 * 10);
    }
    assert!(results[5].is_err());
}

#[test]
fn attaching_a_photo_again_restores_a_file_that_went_missing() {
    let mut f = Fixture::new();
    let bytes = jpeg(&marked(1000, 700), false);
    f.attach("P.3", "shelf.jpg", &bytes).expect("attach");
    let sha = f.db.photos(f.audit).expect("photos")[0].sha256.clone();
    let display = f.store().path(&sha, Variant::Display);
    std::fs::remove_file(&display).expect("lose the display copy");
    f.attach("P.3", "shelf.jpg", &bytes).expect("attach again");
    assert!(display.is_file(), "the display copy is back");
    assert_eq!(f.photo_rows(), 1, "still one attachment");
}

#[test]
fn a_drawn_signature_is_checked_before_decoding_and_scaled_down() {
    use storecheck_core::drawn::{MAX_HEIGHT, MAX_WIDTH, Whose, prepare_signature};
    let err = prepare_signature(&png_declaring(60000, 60000), Whose::Signer).expect_err("bomb");
    assert!(
        err.to_string()
            .contains("the drawn signature is too large in pixels (60000 × 60000"),
        "{err}"
    );
    assert!(
        err.message(Lang::Ru)
            .contains("нарисованная подпись слишком большая в пикселях"),
        "{}",
        err.message(Lang::Ru)
    );
    let err = prepare_signature(b"GIF89a", Whose::Acknowledgement).expect_err("not png");
    assert!(
        err.to_string()
            .contains("the acknowledgement's drawn signature is not a PNG image"),
        "{err}"
    );
    assert!(prepare_signature(b"", Whose::Signer).is_err());
    let mut cut = png_rgba(&RgbaImage::from_pixel(900, 300, Rgba([0, 0, 0, 255])));
    cut.truncate(cut.len() / 2);
    let err = prepare_signature(&cut, Whose::Signer).expect_err("cut");
    assert!(err.to_string().contains("damaged PNG"), "{err}");

    // A scanned signature, large but sensible, is kept at a size the report can use.
    let scan = png_rgba(&RgbaImage::from_pixel(3000, 1000, Rgba([20, 20, 90, 255])));
    let kept = prepare_signature(&scan, Whose::Signer).expect("scan");
    let img = image::load_from_memory(&kept).expect("png");
    assert_eq!((img.width(), img.height()), (MAX_WIDTH, MAX_HEIGHT));
    // A pad's own 900 × 300 stays as it is in size.
    let pad = png_rgba(&RgbaImage::from_pixel(900, 300, Rgba([0, 0, 0, 0])));
    let kept = image::load_from_memory(&prepare_signature(&pad, Whose::Signer).expect("pad"))
        .expect("png");
    assert_eq!((kept.width(), kept.height()), (900, 300));
}

#[test]
fn a_damaged_display_copy_is_made_again_from_the_original_and_a_lost_photo_is_named() {
    let mut f = Fixture::new();
    f.attach("P.3", "витрина.jpg", &jpeg(&marked(2000, 1000), false))
        .expect("attach");
    let photo = f.db.photos(f.audit).expect("photos").remove(0);
    let path = f.store().path(&photo.sha256, Variant::Display);
    let good = std::fs::read(&path).expect("display copy");
    assert_eq!(f.db.display_copy(&photo).expect("copy"), good);

    // Cut short on disk (a failing drive, a copy interrupted): made again, and written back.
    std::fs::write(&path, &good[..good.len() / 2]).expect("damage");
    let again = f.db.display_copy(&photo).expect("made again");
    assert_eq!(again.len(), good.len());
    assert_eq!(decode(&again).dimensions(), (1600, 800));
    assert_eq!(std::fs::read(&path).expect("written back"), again);

    // With the original gone too, nothing truthful can be shown: the photo is named.
    std::fs::remove_file(&path).expect("remove copy");
    let original = f.store().path(
        &photo.sha256,
        Variant::Original(storecheck_core::photo::Format::Jpeg),
    );
    std::fs::remove_file(&original).expect("remove original");
    let err = f.db.display_copy(&photo).expect_err("lost");
    assert!(
        err.to_string()
            .contains("the photo «витрина.jpg» of requirement P.3 is damaged or missing"),
        "{err}"
    );
}

/// A real, valid PNG of `w`×`h` grey pixels; a flat picture compresses to a small file.
fn grey_png(w: u32, h: u32) -> Vec<u8> {
    let pixels = vec![128u8; w as usize * h as usize];
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&pixels, w, h, image::ExtendedColorType::L8)
    .expect("encode png");
    out
}

#[test]
fn extreme_shapes_are_refused_by_their_side_or_shape_before_decoding() {
    // Under the 50-megapixel limit, but a side no camera makes: reducing it took 15 s and 3 GB.
    refused(
        "strip.png",
        &grey_png(50_000_000, 1),
        "50000000 pixels wide, more than the 20000 a side of a photo may have",
        "ширина 50000000 пикселей — больше допустимых для стороны фото 20000",
    );
    // The same turned on its side (only its header: a real one is 80 MB, over the byte limit).
    refused(
        "column.png",
        &png_declaring(1, 50_000_000),
        "50000000 pixels high, more than the 20000",
        "высота 50000000 пикселей — больше допустимых для стороны фото 20000",
    );
    refused(
        "banner.png",
        &grey_png(30_000, 100),
        "30000 pixels wide, more than the 20000",
        "ширина 30000 пикселей",
    );
    // Within every side limit, but 100 times longer than high: no photo has that shape.
    refused(
        "ribbon.png",
        &grey_png(10_000, 100),
        "10000×100 pixels: one side is more than 50 times the other",
        "более чем в 50 раз",
    );
    refused(
        "ribbon.jpg",
        &jpeg_declaring(100, 12_000),
        "100×12000 pixels: one side is more than 50 times the other",
        "более чем в 50 раз",
    );
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(
            &vec![90u8; 3 * 6000 * 60],
            6000,
            60,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode webp");
    refused(
        "ribbon.webp",
        &webp,
        "6000×60 pixels: one side is more than 50 times the other",
        "более чем в 50 раз",
    );
    // The widest shape a photo may have is still taken.
    let p = prepare("panorama.png", grey_png(10_000, 200), &Limits::default())
        .expect("a 50:1 panorama is a photo");
    assert_eq!((p.display.width, p.display.height), (1600, 32));
}

/// A JPEG of `w`×`h` in CMYK (inverted, as Adobe and libjpeg write it), pure red.
fn cmyk_jpeg(w: usize, h: usize) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h)
        .flat_map(|i| [255u8, (i % 7) as u8, 0, 255])
        .collect();
    let mut c = turbojpeg::Compressor::new().expect("compressor");
    c.set_quality(90).expect("quality");
    c.set_subsamp(turbojpeg::Subsamp::None).expect("subsamp");
    c.compress_to_vec(turbojpeg::Image {
        pixels: pixels.as_slice(),
        width: w,
        pitch: 4 * w,
        height: h,
        format: turbojpeg::PixelFormat::CMYK,
    })
    .expect("encode CMYK")
}

fn cut(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len() / 2]
}

#[test]
fn a_truncated_photo_is_refused_whatever_its_format_or_colours() {
    // A CMYK JPEG cut in half was taken, its missing half grey.
    let cmyk = cmyk_jpeg(1200, 900);
    refused("print.jpg", cut(&cmyk), "cut short", "обрезан");
    // A few bytes of CMYK data under a frame header claiming 12000 × 12000: also cut short.
    let mut claim = cmyk_jpeg(64, 64);
    let sof = claim
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("baseline frame header");
    claim[sof + 5..sof + 7].copy_from_slice(&12_000u16.to_be_bytes());
    claim[sof + 7..sof + 9].copy_from_slice(&12_000u16.to_be_bytes());
    refused("poster.jpg", &claim, "cut short", "обрезан");

    let progressive = jpeg(&marked(1200, 900), true);
    refused("progressive.jpg", cut(&progressive), "cut short", "обрезан");

    let mut png16 = Vec::new();
    let wide: Vec<u8> = (0..600u32 * 400)
        .flat_map(|i| {
            let v = (i % 65_536) as u16;
            [v.to_be_bytes(), v.to_le_bytes(), 7u16.to_be_bytes()].concat()
        })
        .collect();
    image::codecs::png::PngEncoder::new(&mut png16)
        .write_image(&wide, 600, 400, image::ExtendedColorType::Rgb16)
        .expect("encode 16-bit png");
    refused("deep.png", cut(&png16), "cut short", "обрезан");

    let interlaced = interlaced_png(&marked(600, 400));
    let p = prepare("whole.png", interlaced.clone(), &Limits::default()).expect("interlaced PNG");
    assert!(is_red(decode(&p.display.bytes).get_pixel(10, 10)));
    refused("interlaced.png", cut(&interlaced), "cut short", "обрезан");

    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(
            marked(640, 480).as_raw(),
            640,
            480,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode webp");
    refused("shelf.webp", cut(&webp), "cut short", "обрезан");
}

#[test]
fn a_drawn_signature_of_no_signature_shape_is_refused_before_decoding() {
    use storecheck_core::drawn::{Whose, prepare_signature};
    let err = prepare_signature(&png_declaring(20_000_000, 1), Whose::Signer).expect_err("strip");
    assert!(
        err.to_string().contains(
            "the drawn signature is too long (20000000 × 1 pixels; a side may be at most 10000 pixels)"
        ),
        "{err}"
    );
    assert!(
        err.message(Lang::Ru)
            .contains("сторона не больше 10000 пикселей"),
        "{}",
        err.message(Lang::Ru)
    );
    let err =
        prepare_signature(&png_declaring(5000, 20), Whose::Acknowledgement).expect_err("ribbon");
    assert!(
        err.to_string().contains(
            "the acknowledgement's drawn signature has a shape no signature has (5000 × 20 pixels; one side may be at most 50 times the other)"
        ),
        "{err}"
    );
    assert!(
        err.message(Lang::Ru).contains("не более чем в 50 раз"),
        "{}",
        err.message(Lang::Ru)
    );
}

/// An Adam7-interlaced RGB PNG (no encoder at hand writes one), its data in stored deflate
/// blocks.
fn interlaced_png(img: &RgbImage) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let (w, h) = img.dimensions();
    // The seven passes: (x start, y start, x step, y step).
    let passes = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in passes {
        for y in (y0..h).step_by(dy) {
            if x0 >= w {
                continue;
            }
            raw.push(0); // filter: none
            for x in (x0..w).step_by(dx) {
                raw.extend_from_slice(&img.get_pixel(x, y).0);
            }
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 1]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}
