//! `storecheck demo`: a fashion-store standard in Russian and English, two stores and a few
//! audits, for a first look at the app. Safe to run again: nothing is duplicated.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::NewAudit;
use crate::db::Db;
use crate::error::Result;
use crate::i18n::Lang;
use crate::import::parse_standard;
use crate::model::ShiftPart;

const STANDARD_RU: &[u8] = include_bytes!("../../../fixtures/standards/demo-fashion.ru.json");
const STANDARD_EN: &[u8] = include_bytes!("../../../fixtures/standards/demo-fashion.en.json");
const ANSWERS_PASS: &[u8] = include_bytes!("../../../fixtures/answers/demo-fashion-pass.csv");

/// What the demo made.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoOutcome {
    /// The standard new audits use by default (in the requested language).
    pub standard: String,
    pub stores: Vec<String>,
    /// Audits made by this run (none when the demo was already loaded).
    pub audits: Vec<Uuid>,
}

impl Db {
    /// Loads the demo standard (the requested language last, so it is the default for new
    /// audits), two stores, a completed audit with its photos and a draft. Needs a database
    /// file (the photos live beside it).
    ///
    /// All or nothing: everything is written in one transaction, so a demo interrupted by a
    /// crash or an error leaves the database as it was, and running it again loads it whole.
    /// (Photo files written before an interruption stay beside the database, unreferenced and
    /// harmless; the next run reuses them by content.)
    pub fn load_demo(&mut self, lang: Lang) -> Result<DemoOutcome> {
        self.atomically(|db| db.load_demo_parts(lang))
    }

    fn load_demo_parts(&mut self, lang: Lang) -> Result<DemoOutcome> {
        let (other, main) = match lang {
            Lang::Ru => (
                ("demo-fashion.en.json", STANDARD_EN),
                ("demo-fashion.ru.json", STANDARD_RU),
            ),
            Lang::En => (
                ("demo-fashion.ru.json", STANDARD_RU),
                ("demo-fashion.en.json", STANDARD_EN),
            ),
        };
        self.photo_store()?;
        self.publish_standard(&parse_standard(other.0, other.1)?)?;
        let main_outcome = self.publish_standard(&parse_standard(main.0, main.1)?)?;
        let ru = self.find_standard("DEMO-FASHION")?;
        let stores = [
            ("MSK-01", "Тверская, 12", "Москва"),
            ("SPB-02", "Невский, 48", "Санкт-Петербург"),
        ];
        for (code, name, region) in stores {
            self.add_store(code, name, Some(region))?;
        }
        let mut audits = Vec::new();
        let already: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
        if already == 0 {
            let today = self.today();
            let ru_spec = format!("DEMO-FASHION@{}", self.load_standard(ru)?.version);
            let done = self.create_audit(&NewAudit {
                store_code: "MSK-01".into(),
                shift_date: today.clone(),
                shift: ShiftPart::Opening,
                auditor: "Анна Смирнова".into(),
                observed: Some("Ольга Петрова, Иван Кузнецов (стажёр)".into()),
                standard: Some(ru_spec),
            })?;
            self.fill_from_csv(done, "demo-fashion-pass.csv", ANSWERS_PASS)?;
            // The requirements whose photos the pass file's answers call for.
            for (code, scene, caption) in [
                ("2.1", Scene::Uniform, "Форма продавцов зала, 9:40"),
                ("3.1", Scene::Window, "Витрина у входа"),
                ("3.5", Scene::FittingRoom, "Примерочная №2: вещи и вешалки"),
            ] {
                let name = format!("demo-{code}.jpg");
                let photo =
                    crate::photo::prepare(&name, scene.draw(), &crate::photo::Limits::default())?;
                let saved = self.attach_photos(done, code, &[photo])?;
                for p in saved.photos {
                    self.set_photo_caption(p.id, caption)?;
                }
            }
            self.complete_audit(done)?;
            audits.push(done);
            let draft = self.create_audit(&NewAudit {
                store_code: "SPB-02".into(),
                shift_date: today,
                shift: ShiftPart::Evening,
                auditor: match lang {
                    Lang::Ru => "Анна Смирнова".into(),
                    Lang::En => "Anna Smirnova".into(),
                },
                observed: None,
                standard: Some(main_outcome.standard.code.clone()),
            })?;
            audits.push(draft);
        }
        Ok(DemoOutcome {
            standard: format!(
                "{}@{}",
                main_outcome.standard.code, main_outcome.standard.version
            ),
            stores: stores.iter().map(|s| s.0.to_string()).collect(),
            audits,
        })
    }
}

/// The demo's photos: simple drawn pictures (no photographs ship with the program).
#[derive(Clone, Copy)]
enum Scene {
    Uniform,
    Window,
    FittingRoom,
}

impl Scene {
    /// A 1600×1200 JPEG of the scene.
    fn draw(self) -> Vec<u8> {
        use image::{Rgb, RgbImage};
        let (w, h) = (1600u32, 1200u32);
        let mut img = RgbImage::from_fn(w, h, |_, y| {
            let t = y as f32 / h as f32;
            let c = |a: f32, b: f32| (a + (b - a) * t) as u8;
            match self {
                Scene::Window => Rgb([c(70.0, 40.0), c(76.0, 44.0), c(84.0, 50.0)]),
                _ => Rgb([c(236.0, 214.0), c(230.0, 206.0), c(220.0, 196.0)]),
            }
        });
        let mut rect = |x0: u32, y0: u32, x1: u32, y1: u32, c: [u8; 3]| {
            for y in y0.min(h)..y1.min(h) {
                for x in x0.min(w)..x1.min(w) {
                    img.put_pixel(x, y, Rgb(c));
                }
            }
        };
        let floor = [168, 140, 112];
        match self {
            Scene::Uniform => {
                rect(0, 900, w, h, floor);
                for (i, x) in [380u32, 900].into_iter().enumerate() {
                    rect(x, 430, x + 320, 900, [34, 46, 82]); // jacket
                    rect(x + 120, 430, x + 200, 620, [245, 245, 245]); // shirt
                    rect(x + 40, 900, x + 140, 1140, [30, 30, 36]); // trousers
                    rect(x + 180, 900, x + 280, 1140, [30, 30, 36]);
                    rect(x + 110, 230, x + 210, 430, [224, 186, 160]); // head
                    rect(x + 100, 210, x + 220, 260, [70, 50, 40]); // hair
                    let badge = if i == 0 {
                        [250, 250, 250]
                    } else {
                        [255, 215, 0]
                    };
                    rect(x + 220, 500, x + 300, 540, badge); // name badge
                }
            }
            Scene::Window => {
                rect(120, 120, 1480, 1080, [190, 214, 226]); // glass
                rect(120, 960, 1480, 1080, [120, 110, 100]); // podium
                for (x, c) in [
                    (300u32, [178, 34, 52]),
                    (700, [240, 240, 232]),
                    (1100, [40, 110, 90]),
                ] {
                    rect(x, 300, x + 200, 700, c); // dress
                    rect(x + 70, 220, x + 130, 300, [230, 228, 224]); // mannequin head
                    rect(x + 90, 700, x + 110, 960, [90, 90, 90]); // stand
                    rect(x + 60, 130, x + 140, 150, [255, 236, 150]); // spotlight
                }
            }
            Scene::FittingRoom => {
                rect(0, 980, w, h, floor);
                rect(200, 80, 700, 1000, [128, 24, 48]); // curtain
                for x in (220..700).step_by(60) {
                    rect(x, 80, x + 8, 1000, [100, 16, 36]);
                }
                rect(900, 160, 1300, 900, [214, 224, 230]); // mirror
                rect(1320, 300, 1360, 320, [60, 60, 60]); // hook
                rect(860, 1000, 1100, 1060, [60, 90, 160]); // clothes left on the floor
                rect(1000, 1040, 1280, 1100, [220, 200, 80]);
                rect(1340, 330, 1345, 520, [40, 40, 40]); // hanger
            }
        }
        let mut c = match turbojpeg::Compressor::new() {
            Ok(c) => c,
            Err(_) => return Vec::new(),
        };
        let _ = c.set_quality(88);
        c.compress_to_vec(turbojpeg::Image {
            pixels: img.as_raw().as_slice(),
            width: w as usize,
            pitch: 3 * w as usize,
            height: h as usize,
            format: turbojpeg::PixelFormat::RGB,
        })
        .unwrap_or_default()
    }
}
