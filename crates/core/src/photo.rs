//! Photos: turning a file a store manager picked into evidence attached to a requirement.
//!
//! [`prepare`] is pure (no disk, no database): it recognises the format by its bytes, checks the
//! byte and pixel limits *before* decoding anything, decodes (JPEGs at a reduced DCT scale when
//! the photo is much larger than the display copy), applies the EXIF orientation, and encodes a
//! display copy (long edge [`DISPLAY_EDGE`], never upscaled) and a thumbnail as fresh JPEGs, so
//! no metadata such as GPS survives into them. It runs on any thread; the app runs several at
//! once.
//!
//! [`PhotoStore`] keeps the original unchanged, named by its SHA-256, with the two copies beside
//! it, in `photos/` next to the database. Files are written to a temporary name, flushed and
//! renamed, so a file under its final name is always whole. [`Db::attach_photos`] writes the
//! files first and the rows after, in one transaction: a crash leaves either the whole photo or
//! no row at all (at worst unreferenced files, which the next attachment of the same photo
//! reuses; they are never removed, since another database in the same folder may hold the same
//! photo), and a refused transaction removes the files it created.

use std::path::{Path, PathBuf};

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, metadata::Orientation};
use rusqlite::params;
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::evaluate;
use crate::db::Db;
use crate::error::{Error, Invalid, Missing, PhotoProblem, Result};
use crate::model::{AuditStatus, Photo, PhotoRule};
use crate::scoring::ScoreCard;
use crate::standard::parse_uuid;

/// The display copy's long edge, in pixels: sharp on a laptop screen and in an A4 report.
pub const DISPLAY_EDGE: u32 = 1600;
/// The thumbnail's long edge, in pixels (a 160-pixel tile on a high-density screen).
pub const THUMB_EDGE: u32 = 320;

/// What a photo may be, checked before any pixel is decoded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest file accepted.
    pub max_bytes: u64,
    /// The most pixels a JPEG may declare. JPEGs decode at a reduced scale, so memory stays
    /// near the display copy's size even for large photos.
    pub max_jpeg_pixels: u64,
    /// The most pixels a PNG, WebP or progressive JPEG may declare (these decode at full size,
    /// or keep the whole picture's coefficients in memory while decoding).
    pub max_other_pixels: u64,
    /// The longest side, in pixels. The resizer's tables grow with the long side, not with the
    /// pixel count, so a picture of 50,000,000 × 1 pixels would take gigabytes to reduce.
    pub max_side: u32,
    /// How many times longer than the short side the long side may be. Cameras make 4:3 or
    /// 16:9 and a phone's panorama or screenshot stays under 1:10.
    pub max_ratio: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_jpeg_pixels: 150_000_000,
            max_other_pixels: 50_000_000,
            max_side: 20_000,
            max_ratio: 50,
        }
    }
}

/// The formats a photo may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }

    /// The extension the original is stored under.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    /// The name people know the format by.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
        }
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Photo(Format),
    /// HEIC, HEIF or AVIF: what phones save, and what this program cannot read.
    Heif(&'static str),
    /// An image format that is not taken (GIF, BMP, TIFF) or a document (PDF).
    Other(&'static str),
    Unknown,
}

fn sniff(b: &[u8]) -> Sniffed {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Photo(Format::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Photo(Format::Png)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Sniffed::Photo(Format::Webp)
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
        match &b[8..12] {
            b"avif" | b"avis" => Sniffed::Heif("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs"
            | b"mif1" | b"msf1" => Sniffed::Heif("HEIC"),
            _ => Sniffed::Other("video"),
        }
    } else if b.starts_with(b"GIF8") {
        Sniffed::Other("GIF")
    } else if b.starts_with(b"BM") {
        Sniffed::Other("BMP")
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        Sniffed::Other("TIFF")
    } else if b.starts_with(b"%PDF") {
        Sniffed::Other("PDF")
    } else {
        Sniffed::Unknown
    }
}

/// What a file's extension claims, when it names an image format.
fn claimed(file_name: &str) -> Option<(String, Sniffed)> {
    let ext = Path::new(file_name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    let s = match ext.as_str() {
        "jpg" | "jpeg" | "jpe" | "jfif" => Sniffed::Photo(Format::Jpeg),
        "png" => Sniffed::Photo(Format::Png),
        "webp" => Sniffed::Photo(Format::Webp),
        "heic" | "heif" => Sniffed::Heif("HEIC"),
        "avif" => Sniffed::Heif("AVIF"),
        "gif" => Sniffed::Other("GIF"),
        "bmp" => Sniffed::Other("BMP"),
        "tif" | "tiff" => Sniffed::Other("TIFF"),
        _ => return None,
    };
    Some((ext, s))
}

fn sniffed_name(s: Sniffed) -> &'static str {
    match s {
        Sniffed::Photo(f) => f.name(),
        Sniffed::Heif(n) | Sniffed::Other(n) => n,
        Sniffed::Unknown => "unknown",
    }
}

/// A JPEG made by this module: the display copy or the thumbnail.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// A photo ready to be stored: its original bytes, hash, size and the two copies.
#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub file_name: String,
    pub sha256: String,
    pub format: Format,
    pub original: Vec<u8>,
    /// The original's size after EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub display: Encoded,
    pub thumb: Encoded,
}

/// Reads and prepares a photo file, checking its size before reading it.
pub fn prepare_file(path: &Path, limits: &Limits) -> Result<PreparedPhoto> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(photo_error(&name, PhotoProblem::NotAnImage));
    }
    if meta.len() > limits.max_bytes {
        return Err(photo_error(
            &name,
            PhotoProblem::TooLarge {
                bytes: meta.len(),
                max: limits.max_bytes,
            },
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    prepare(&name, bytes, limits)
}

/// Prepares several photo files on all cores; the results are in the order of `paths`.
pub fn prepare_files(paths: &[PathBuf], limits: &Limits) -> Vec<Result<PreparedPhoto>> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(paths.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<PreparedPhoto>>> = paths.iter().map(|_| None).collect();
    let done = std::sync::Mutex::new(&mut results);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let r = prepare_file(path, limits);
                    if let Ok(mut d) = done.lock() {
                        d[i] = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .zip(paths)
        .map(|(r, p)| {
            r.unwrap_or_else(|| {
                Err(Error::io(
                    p,
                    std::io::Error::other("the photo could not be processed"),
                ))
            })
        })
        .collect()
}

fn photo_error(file: &str, problem: PhotoProblem) -> Error {
    Error::Photo {
        file: file.to_string(),
        problem,
    }
}

/// Checks, decodes and reduces one photo. `file_name` names it in messages and in the audit.
///
/// Errors: [`Error::Photo`] saying which file and why (empty, too large, HEIC, not an image,
/// named as another format, truncated, corrupt).
pub fn prepare(file_name: &str, original: Vec<u8>, limits: &Limits) -> Result<PreparedPhoto> {
    let fail = |p| photo_error(file_name, p);
    if original.is_empty() {
        return Err(fail(PhotoProblem::Empty));
    }
    if original.len() as u64 > limits.max_bytes {
        return Err(fail(PhotoProblem::TooLarge {
            bytes: original.len() as u64,
            max: limits.max_bytes,
        }));
    }
    let sniffed = sniff(&original);
    let format = match sniffed {
        Sniffed::Photo(f) => f,
        Sniffed::Heif(kind) => return Err(fail(PhotoProblem::Heic { kind })),
        Sniffed::Other(kind) => return Err(fail(PhotoProblem::Unsupported { kind })),
        Sniffed::Unknown => {
            return Err(fail(match claimed(file_name) {
                Some((_, Sniffed::Photo(f))) => PhotoProblem::Corrupt {
                    detail: format!("it does not start like a {} file", f.name()),
                },
                _ => PhotoProblem::NotAnImage,
            }));
        }
    };
    if let Some((ext, claim)) = claimed(file_name)
        && claim != sniffed
    {
        return Err(fail(PhotoProblem::Mislabelled {
            extension: ext,
            actual: sniffed_name(sniffed),
        }));
    }
    let decoded = match format {
        Format::Jpeg => decode_jpeg(&original, limits),
        Format::Png | Format::Webp => decode_other(&original, format, limits),
    }
    .map_err(fail)?;
    let Decoded {
        image,
        orientation,
        width,
        height,
    } = decoded;

    // Reduce first (the long edge is the same whichever way the photo turns), then turn.
    let display = orient(fit(image, DISPLAY_EDGE), orientation);
    let thumb = fit(display.clone(), THUMB_EDGE);
    let (width, height) = if swaps_sides(orientation) {
        (height, width)
    } else {
        (width, height)
    };
    let sha256 = hex(&Sha256::digest(&original));
    Ok(PreparedPhoto {
        file_name: file_name.to_string(),
        sha256,
        format,
        original,
        width,
        height,
        display: encode(&display, 82).map_err(fail)?,
        thumb: encode(&thumb, 78).map_err(fail)?,
    })
}

struct Decoded {
    image: RgbImage,
    orientation: Orientation,
    /// The original's size as stored, before orientation.
    width: u32,
    height: u32,
}

/// Checks a declared size against the limits: the pixel count (memory), each side and the
/// shape (the resizer's cost, which grows with the long side and with how thin the picture is).
fn check_size(
    width: u64,
    height: u64,
    max_pixels: u64,
    limits: &Limits,
) -> Result<(), PhotoProblem> {
    if width == 0 || height == 0 {
        return Err(PhotoProblem::Corrupt {
            detail: "it declares an empty picture".into(),
        });
    }
    if width * height > max_pixels {
        return Err(PhotoProblem::TooManyPixels {
            width,
            height,
            max_megapixels: max_pixels / 1_000_000,
        });
    }
    let max_side = u64::from(limits.max_side);
    if width > max_side || height > max_side {
        return Err(PhotoProblem::SideTooLong {
            width,
            height,
            max_side,
        });
    }
    let max_ratio = u64::from(limits.max_ratio);
    if width.max(height) > width.min(height) * max_ratio {
        return Err(PhotoProblem::TooThin {
            width,
            height,
            max_ratio,
        });
    }
    Ok(())
}

/// The most scans a progressive JPEG may have. Cameras and encoders write about ten; each scan
/// goes over the whole picture again, so thousands of tiny ones would keep the decoder busy for
/// minutes (libjpeg-turbo's own advice is to bound them).
const MAX_JPEG_SCANS: u32 = 100;

fn decode_jpeg(data: &[u8], limits: &Limits) -> Result<Decoded, PhotoProblem> {
    let orientation = jpeg_orientation(data);
    let mut d = turbojpeg::Decompressor::new().map_err(corrupt)?;
    let header = d.read_header(data).map_err(jpeg_problem)?;
    // A progressive JPEG keeps the whole picture's coefficients while decoding, whatever the
    // scale, and a lossless one cannot be scaled: they get the full-size decoders' limit.
    let max_pixels = if header.is_progressive || header.is_lossless {
        limits.max_other_pixels
    } else {
        limits.max_jpeg_pixels
    };
    check_size(
        header.width as u64,
        header.height as u64,
        max_pixels,
        limits,
    )?;
    let (width, height) = (header.width as u32, header.height as u32);
    // Print-shop JPEGs come in CMYK (or YCCK, which libjpeg-turbo turns into CMYK): decoded by
    // the same decoder, at the same reduced scale, so a cut one is refused like any other.
    let cmyk = matches!(
        header.colorspace,
        turbojpeg::Colorspace::CMYK | turbojpeg::Colorspace::YCCK
    );
    let (format, channels) = if cmyk {
        (turbojpeg::PixelFormat::CMYK, 4)
    } else {
        (turbojpeg::PixelFormat::RGB, 3)
    };
    // The smallest DCT scale that still leaves at least the display copy's long edge.
    let long = header.width.max(header.height);
    let scale = [8, 4, 2]
        .into_iter()
        .map(|den| turbojpeg::ScalingFactor::new(1, den))
        .find(|s| !header.is_lossless && s.scale(long) >= DISPLAY_EDGE as usize)
        .unwrap_or(turbojpeg::ScalingFactor::ONE);
    let scaled = header.scaled(scale);
    d.set_scaling_factor(scale).map_err(corrupt)?;
    d.set_scan_limit(MAX_JPEG_SCANS).map_err(corrupt)?;
    let mut pixels = vec![0u8; channels * scaled.width * scaled.height];
    // libjpeg-turbo reports a file that ends early ("premature end of data") and any damaged
    // segment as a warning; TurboJPEG turns every warning into an error, so they are refused.
    d.decompress(
        data,
        turbojpeg::Image {
            pixels: pixels.as_mut_slice(),
            width: scaled.width,
            pitch: channels * scaled.width,
            height: scaled.height,
            format,
        },
    )
    .map_err(jpeg_problem)?;
    let pixels = if cmyk { cmyk_to_rgb(&pixels) } else { pixels };
    let image = RgbImage::from_raw(scaled.width as u32, scaled.height as u32, pixels).ok_or(
        PhotoProblem::Corrupt {
            detail: "the decoder returned fewer pixels than declared".into(),
        },
    )?;
    Ok(Decoded {
        image,
        orientation,
        width,
        height,
    })
}

/// CMYK as JPEGs store it (inverted, as Adobe's applications and libjpeg write it: 255 is no
/// ink) to RGB on white paper.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = u32::from(p[3]);
            let ink = |c: u8| ((u32::from(c) * k + 127) / 255) as u8;
            [ink(p[0]), ink(p[1]), ink(p[2])]
        })
        .collect()
}

fn decode_other(data: &[u8], format: Format, limits: &Limits) -> Result<Decoded, PhotoProblem> {
    let fmt = match format {
        Format::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::WebP,
    };
    if format == Format::Webp && webp_cut_short(data) {
        return Err(PhotoProblem::Truncated);
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(data), fmt);
    let mut lim = image::Limits::default();
    lim.max_alloc = Some(limits.max_other_pixels * 8);
    reader.limits(lim.clone());
    let mut decoder = reader.into_decoder().map_err(image_problem)?;
    let (width, height) = decoder.dimensions();
    check_size(width as u64, height as u64, limits.max_other_pixels, limits)?;
    decoder.set_limits(lim).map_err(image_problem)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(image_problem)?;
    Ok(Decoded {
        image: flatten(img),
        orientation,
        width,
        height,
    })
}

/// Does a WebP end before the length its RIFF header declares? The WebP decoder reads whole
/// chunks, so a cut one fails with a bare "failed to fill whole buffer"; the header says plainly.
fn webp_cut_short(data: &[u8]) -> bool {
    let Some(declared) = data.get(4..8) else {
        return true;
    };
    let declared = u32::from_le_bytes([declared[0], declared[1], declared[2], declared[3]]);
    (data.len() as u64) < u64::from(declared) + 8
}

/// RGB with any transparency laid over white, as a viewer shows it.
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([over(p[0]), over(p[1]), over(p[2])])
    })
}

/// The EXIF orientation of a JPEG, from its APP1 `Exif` segment; none when absent or unreadable.
fn jpeg_orientation(data: &[u8]) -> Orientation {
    let mut i = 2;
    while i + 4 <= data.len() && data[i] == 0xFF {
        let marker = data[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            break; // image data starts: no more metadata segments
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        let body = data.get(i + 4..i + 2 + len);
        if marker == 0xE1
            && let Some(body) = body
            && let Some(tiff) = body.strip_prefix(b"Exif\0\0")
        {
            return Orientation::from_exif_chunk(tiff).unwrap_or(Orientation::NoTransforms);
        }
        i += 2 + len;
    }
    Orientation::NoTransforms
}

fn swaps_sides(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn orient(img: RgbImage, o: Orientation) -> RgbImage {
    if o == Orientation::NoTransforms {
        return img;
    }
    let mut d = DynamicImage::ImageRgb8(img);
    d.apply_orientation(o);
    d.into_rgb8()
}

/// Scales `img` down so its long edge is `edge` (Lanczos3); a smaller image stays as it is.
fn fit(img: RgbImage, edge: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= edge {
        return img;
    }
    let scale = f64::from(edge) / f64::from(long);
    let (dw, dh) = if w >= h {
        (edge, ((f64::from(h) * scale).round() as u32).max(1))
    } else {
        (((f64::from(w) * scale).round() as u32).max(1), edge)
    };
    let resized = (|| {
        let src = fr::images::Image::from_vec_u8(w, h, img.into_raw(), fr::PixelType::U8x3).ok()?;
        let mut dst = fr::images::Image::new(dw, dh, fr::PixelType::U8x3);
        fr::Resizer::new()
            .resize(
                &src,
                &mut dst,
                &fr::ResizeOptions::new()
                    .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3)),
            )
            .ok()?;
        RgbImage::from_raw(dw, dh, dst.into_vec())
    })();
    // The buffers are made above with matching sizes, so resizing cannot fail; should it
    // ever, a flat grey copy is better than losing the attachment.
    resized.unwrap_or_else(|| RgbImage::from_pixel(dw, dh, image::Rgb([128, 128, 128])))
}

fn encode(img: &RgbImage, quality: i32) -> Result<Encoded, PhotoProblem> {
    let mut c = turbojpeg::Compressor::new().map_err(corrupt)?;
    c.set_quality(quality).map_err(corrupt)?;
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2).map_err(corrupt)?;
    let (width, height) = img.dimensions();
    let bytes = c
        .compress_to_vec(turbojpeg::Image {
            pixels: img.as_raw().as_slice(),
            width: width as usize,
            pitch: 3 * width as usize,
            height: height as usize,
            format: turbojpeg::PixelFormat::RGB,
        })
        .map_err(corrupt)?;
    Ok(Encoded {
        bytes,
        width,
        height,
    })
}

fn corrupt(e: impl std::fmt::Display) -> PhotoProblem {
    PhotoProblem::Corrupt {
        detail: e.to_string(),
    }
}

fn jpeg_problem(e: turbojpeg::Error) -> PhotoProblem {
    let text = e.to_string();
    if text.contains("Premature end") || text.contains("premature end") {
        PhotoProblem::Truncated
    } else {
        PhotoProblem::Corrupt { detail: text }
    }
}

fn image_problem(e: image::ImageError) -> PhotoProblem {
    let text = e.to_string();
    let lower = text.to_lowercase();
    // The decoders report a file that ends early as an I/O error of their reader, sometimes
    // wrapped in a decoding error, sometimes only in words.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut ends_early = false;
    while let Some(s) = source {
        ends_early |= s
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof);
        source = s.source();
    }
    if ends_early || lower.contains("eof") || lower.contains("end of") || lower.contains("truncat")
    {
        PhotoProblem::Truncated
    } else if let image::ImageError::Limits(_) = e {
        PhotoProblem::Corrupt {
            detail: "it would need more memory than a photo may take".into(),
        }
    } else {
        PhotoProblem::Corrupt { detail: text }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Is `s` a SHA-256 as this module writes it (64 lowercase hex digits)?
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Which of a photo's three files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original(Format),
    Display,
    Thumb,
}

/// The folder of photo files beside a database.
#[derive(Debug, Clone)]
pub struct PhotoStore {
    root: PathBuf,
    /// The device id of the database that writes here, named in its temporary files.
    owner: Option<Uuid>,
}

impl PhotoStore {
    /// The store for the database at `db_path`: `photos/` in the same folder.
    pub fn beside(db_path: &Path) -> PhotoStore {
        let dir = db_path.parent().unwrap_or(Path::new("."));
        PhotoStore {
            root: dir.join("photos"),
            owner: None,
        }
    }

    /// The same folder, written by the database with this device id.
    pub fn owned_by(self, device: Uuid) -> PhotoStore {
        PhotoStore {
            owner: Some(device),
            ..self
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where one of a photo's files lives: `photos/ab/abcd….jpg`, `….display.jpg`, `….thumb.jpg`.
    pub fn path(&self, sha256: &str, variant: Variant) -> PathBuf {
        let name = match variant {
            Variant::Original(f) => format!("{sha256}.{}", f.extension()),
            Variant::Display => format!("{sha256}.display.jpg"),
            Variant::Thumb => format!("{sha256}.thumb.jpg"),
        };
        self.root.join(&sha256[..2]).join(name)
    }

    /// Writes a photo's three files that are not there yet (temporary names from `ids`);
    /// returns the ones it created.
    pub(crate) fn put(&self, p: &PreparedPhoto, ids: &crate::ids::Ids) -> Result<Vec<PathBuf>> {
        let mut created = Vec::new();
        let files = [
            (Variant::Original(p.format), &p.original),
            (Variant::Display, &p.display.bytes),
            (Variant::Thumb, &p.thumb.bytes),
        ];
        for (variant, bytes) in files {
            let path = self.path(&p.sha256, variant);
            match crate::files::write_new(&path, bytes, self.owner, ids) {
                Ok(true) => created.push(path),
                Ok(false) => {}
                Err(e) => {
                    remove_all(&created);
                    return Err(e);
                }
            }
        }
        Ok(created)
    }
}

pub use crate::files::{write_durably, write_durably_private};

fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

/// The row of a photo's three files (once per original, whoever attaches it again).
pub(crate) fn put_file_row(tx: &crate::db::Tx<'_>, p: &PreparedPhoto) -> Result<()> {
    tx.execute(
        "INSERT INTO photo_file (sha256, format, bytes, width, height,
            display_width, display_height, display_bytes, thumb_width, thumb_height, thumb_bytes,
            device_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (sha256) DO NOTHING",
        params![
            p.sha256,
            p.format.as_str(),
            p.original.len() as i64,
            p.width,
            p.height,
            p.display.width,
            p.display.height,
            p.display.bytes.len() as i64,
            p.thumb.width,
            p.thumb.height,
            p.thumb.bytes.len() as i64,
            tx.device.to_string(),
            tx.now
        ],
    )?;
    Ok(())
}

/// What attaching photos returns: the photos as stored and the audit's new score.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PhotosSaved {
    pub photos: Vec<Photo>,
    pub score: ScoreCard,
    pub missing: Vec<Missing>,
}

impl Db {
    /// The folder this database keeps its photos in.
    pub fn photo_store(&self) -> Result<&PhotoStore> {
        self.photos
            .as_ref()
            .ok_or_else(|| Invalid::NoPhotoFolder.into())
    }

    /// Attaches prepared photos to a requirement of a draft audit, all or none. Attaching a
    /// photo the requirement already has changes nothing and returns it again.
    ///
    /// Errors: [`Error::Locked`] unless a draft; [`Error::NotFound`] for an unknown requirement;
    /// [`Error::InvalidInput`] when the requirement takes no photos; [`Error::Io`] when a file
    /// cannot be written (nothing is left behind then).
    pub fn attach_photos(
        &mut self,
        audit: Uuid,
        code: &str,
        photos: &[PreparedPhoto],
    ) -> Result<PhotosSaved> {
        let header = self.require_status(audit, &[AuditStatus::Draft])?;
        let standard = self.load_standard(header.standard_id)?;
        let req = standard
            .requirement_by_code(code.trim())
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Requirement,
                key: code.to_string(),
            })?;
        if req.photo == PhotoRule::None {
            return Err(Invalid::TakesNoPhotos {
                code: req.code.clone(),
            }
            .into());
        }
        let req_id = req.id;
        let store = self.photo_store()?.clone();
        let mut created = Vec::new();
        for p in photos {
            match store.put(p, self.ids()) {
                Ok(c) => created.extend(c),
                Err(e) => {
                    remove_all(&created);
                    return Err(e);
                }
            }
        }
        let ids: Vec<Uuid> = photos.iter().map(|_| self.new_id()).collect();
        let written = self.write(|tx| {
            for (p, id) in photos.iter().zip(&ids) {
                put_file_row(tx, p)?;
                tx.execute(
                    "INSERT INTO photo (id, audit_id, requirement_id, sha256, file_name, caption, device_id, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?7, ?7)
                     ON CONFLICT (audit_id, requirement_id, sha256) DO NOTHING",
                    params![id.to_string(), audit.to_string(), req_id.to_string(), p.sha256, p.file_name, tx.device.to_string(), tx.now],
                )?;
            }
            tx.touch_audit(audit)?;
            Ok(())
        });
        if let Err(e) = written {
            remove_all(&created);
            return Err(e);
        }
        // A file this attachment reused (left by an earlier crash) may have been tidied away by
        // another process meanwhile; the row now refers to it, so make sure it is there.
        for p in photos {
            store.put(p, self.ids())?;
        }
        let all = self.photos(audit)?;
        let attached = photos
            .iter()
            .filter_map(|p| {
                all.iter()
                    .find(|x| x.requirement_id == req_id && x.sha256 == p.sha256)
                    .cloned()
            })
            .collect();
        let (score, missing) = evaluate(&standard, &self.answers(audit)?, &all);
        Ok(PhotosSaved {
            photos: attached,
            score,
            missing,
        })
    }

    /// A photo's display copy as it was made at attach time. A copy that is missing or whose
    /// size differs from the one recorded (damaged on disk) is made again from the original,
    /// which is checked against its SHA-256 first, and written back.
    ///
    /// Errors: [`Error::InvalidInput`] when both the copy and the original are missing or
    /// damaged: the photo cannot be shown truthfully.
    pub fn display_copy(&self, photo: &Photo) -> Result<Vec<u8>> {
        let store = self.photo_store()?;
        let recorded: i64 = self.conn.query_row(
            "SELECT display_bytes FROM photo_file WHERE sha256 = ?1",
            params![photo.sha256],
            |r| r.get(0),
        )?;
        let path = store.path(&photo.sha256, Variant::Display);
        if let Ok(bytes) = std::fs::read(&path)
            && bytes.len() as i64 == recorded
        {
            return Ok(bytes);
        }
        let lost = || {
            Error::from(Invalid::PhotoLost {
                file: photo.file_name.clone(),
                code: photo.code.clone(),
                folder: store.root().display().to_string(),
            })
        };
        let format = Format::parse(&photo.format).ok_or_else(lost)?;
        let original = std::fs::read(store.path(&photo.sha256, Variant::Original(format)))
            .map_err(|_| lost())?;
        if hex(&Sha256::digest(&original)) != photo.sha256 {
            return Err(lost());
        }
        let again = prepare(&photo.file_name, original, &Limits::default()).map_err(|_| lost())?;
        crate::files::replace(&path, &again.display.bytes, Some(self.device()), self.ids())?;
        Ok(again.display.bytes)
    }

    /// Every photo of an audit, in the order they were attached.
    pub fn photos(&self, audit: Uuid) -> Result<Vec<Photo>> {
        self.conn
            .prepare(
                "SELECT p.id, p.requirement_id, r.code, p.sha256, p.file_name, p.caption,
                        f.format, f.bytes, f.width, f.height, f.display_width, f.display_height,
                        f.thumb_width, f.thumb_height, p.created_at
                 FROM photo p JOIN photo_file f ON f.sha256 = p.sha256
                 JOIN requirement r ON r.id = p.requirement_id
                 WHERE p.audit_id = ?1 ORDER BY p.id",
            )?
            .query_map([audit.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    Photo {
                        id: Uuid::nil(),
                        requirement_id: Uuid::nil(),
                        code: r.get(2)?,
                        sha256: r.get(3)?,
                        file_name: r.get(4)?,
                        caption: r.get(5)?,
                        format: r.get::<_, String>(6)?,
                        bytes: r.get(7)?,
                        original_width: r.get(8)?,
                        original_height: r.get(9)?,
                        width: r.get(10)?,
                        height: r.get(11)?,
                        thumb_width: r.get(12)?,
                        thumb_height: r.get(13)?,
                        created_at: r.get(14)?,
                    },
                ))
            })?
            .map(|row| {
                let (id, req, mut photo) = row?;
                photo.id = parse_uuid(&id)?;
                photo.requirement_id = parse_uuid(&req)?;
                Ok(photo)
            })
            .collect()
    }

    fn photo_audit(&self, photo: Uuid) -> Result<Uuid> {
        let audit: Option<String> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT audit_id FROM photo WHERE id = ?1",
            [photo.to_string()],
            |r| r.get(0),
        ))?;
        parse_uuid(&audit.ok_or_else(|| Error::NotFound {
            what: crate::error::Entity::Photo,
            key: photo.to_string(),
        })?)
    }

    /// Sets a photo's caption (an empty one clears it) while its audit is a draft.
    pub fn set_photo_caption(&mut self, photo: Uuid, caption: &str) -> Result<Photo> {
        let audit = self.photo_audit(photo)?;
        self.require_status(audit, &[AuditStatus::Draft])?;
        let caption = caption.trim().to_string();
        self.write(|tx| {
            tx.execute(
                "UPDATE photo SET caption = ?2, updated_at = ?3, device_id = ?4 WHERE id = ?1",
                params![photo.to_string(), caption, tx.now, tx.device.to_string()],
            )?;
            tx.touch_audit(audit)?;
            Ok(())
        })?;
        self.photos(audit)?
            .into_iter()
            .find(|p| p.id == photo)
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Photo,
                key: photo.to_string(),
            })
    }

    /// Takes a photo off its requirement while the audit is a draft and returns the audit's
    /// new score. The file stays: other attachments may share it.
    pub fn remove_photo(&mut self, photo: Uuid) -> Result<PhotosSaved> {
        let audit = self.photo_audit(photo)?;
        let header = self.require_status(audit, &[AuditStatus::Draft])?;
        self.write(|tx| {
            tx.execute("DELETE FROM photo WHERE id = ?1", [photo.to_string()])?;
            tx.touch_audit(audit)?;
            Ok(())
        })?;
        let standard = self.load_standard(header.standard_id)?;
        let all = self.photos(audit)?;
        let (score, missing) = evaluate(&standard, &self.answers(audit)?, &all);
        Ok(PhotosSaved {
            photos: Vec::new(),
            score,
            missing,
        })
    }
}
