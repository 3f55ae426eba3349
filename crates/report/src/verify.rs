//! Checking a signed report the way a careful reader does, and saying what was found in English
//! or Russian.
//!
//! [`verify_pdf`] checks every signature in the file, not only the last: each one's signed
//! ranges, digest and CMS, read strictly (`/Contents` is hex digits then zero padding, the CMS
//! is DER that encodes back to the same bytes, and its versions and algorithms are the ones
//! allowed). Between two signatures, the incremental update may add only the later signature:
//! its dictionary, its field and widget, the form that lists it and the page that shows it;
//! anything else is a change made after the earlier signature. The signer's certificate is the
//! one the SignerInfo names; its identity is confirmed only by a trusted certificate, through a
//! chain checked for validity at the claimed signing time, CA basic constraints and key usage.
//! It also says whether the report carries its audit's data under the first signature
//! ([`Verification::data`], see [`crate::embedded_data`]).

use chrono::{DateTime, SecondsFormat, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode, Tag, Tagged};
use lopdf::{Dictionary, Object, ObjectId};
use p256::ecdsa::{DerSignature, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey};
use storecheck_core::Lang;
use storecheck_core::i18n::Text as _;
use ts_rs::TS;
use uuid::Uuid;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};

use crate::data::DataStatus;
use crate::sign::common_name;

const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A certificate as a person needs to know it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CertificateInfo {
    /// The name it gives its holder (its common name, or its whole subject without one).
    pub subject: String,
    /// The name of who issued it.
    pub issuer: String,
    /// Made by its own key (no one vouches for it), as StoreCheck makes one until HQ issues one.
    pub self_made: bool,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
}

impl CertificateInfo {
    pub fn of(cert: &Certificate) -> CertificateInfo {
        let tbs = &cert.tbs_certificate;
        let name = |n: &x509_cert::name::Name| common_name(n).unwrap_or_else(|| n.to_string());
        CertificateInfo {
            subject: name(&tbs.subject),
            issuer: name(&tbs.issuer),
            self_made: tbs.subject == tbs.issuer && signed_by(cert, cert),
            not_before: rfc3339(time_of(&tbs.validity.not_before)),
            not_after: rfc3339(time_of(&tbs.validity.not_after)),
        }
    }
}

/// What checking one signature found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SignatureCheck {
    /// Its signed bytes are intact, its CMS is well formed, it is its certificate's signature,
    /// and nothing but later signatures was added after it.
    pub valid: bool,
    /// The name its certificate gives, confirmed or not (see `trusted`).
    pub claimed_signer: Option<String>,
    /// The time the signature claims (its `/M`), RFC 3339.
    pub signed_at: Option<String>,
    pub certificate: Option<CertificateInfo>,
    /// Whether the trusted certificate confirms who signed; none without one.
    pub trusted: Option<bool>,
    /// Why the trusted certificate does not confirm it.
    pub trust_problem: Option<String>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// When the trusted CA revoked its certificate (RFC 3339), when it did so after this
    /// signature was made; a signature made after is not trusted (see `trust_problem`).
    pub revoked_at: Option<String>,
}

/// What checking a report's signatures found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Verification {
    /// Every signature is intact and its certificate's, and nothing but later signatures was
    /// added after any of them. Says nothing of who signed: see `trusted` and `identity`.
    pub valid: bool,
    /// Who signed, only when a trusted certificate confirms it (`trusted` true); otherwise
    /// none, and `claimed_signer` gives the name the certificate gives itself.
    pub signer: Option<String>,
    /// When the last signature says it was made (its `/M`), RFC 3339.
    pub signed_at: Option<String>,
    /// Whether the trusted certificate confirms every signer; none without one.
    pub trusted: Option<bool>,
    /// What is wrong, when it is not valid.
    pub problem: Option<String>,
    /// The name the last signature's certificate gives itself, unconfirmed unless `trusted`.
    pub claimed_signer: Option<String>,
    /// Who signed, in a sentence that says whether that is confirmed.
    pub identity: Option<String>,
    /// The last signature's certificate.
    pub certificate: Option<CertificateInfo>,
    /// Why the trusted certificate does not confirm a signer.
    pub trust_problem: Option<String>,
    /// Every signature in the file, first to last.
    pub signatures: Vec<SignatureCheck>,
    /// What the report carries of its audit's data (the embedded `storecheck-audit.json`, see
    /// [`crate::embedded_data`]): `intact` only when the first signature is valid, covers it,
    /// and it reads, and the file shows no other.
    pub data: DataStatus,
    /// The audit the data is of, when it is intact.
    pub data_audit: Option<Uuid>,
    /// Why the data is not intact; none when it is intact or absent.
    pub data_problem: Option<String>,
}

/// A message in both languages.
#[derive(Debug, Clone)]
struct Text {
    en: String,
    ru: String,
}

impl Text {
    fn new(en: impl Into<String>, ru: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            ru: ru.into(),
        }
    }

    fn get(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en.clone(),
            Lang::Ru => self.ru.clone(),
        }
    }

    /// "signature 2 of 3: …" when there is more than one.
    fn of_signature(self, n: usize, of: usize) -> Text {
        if of < 2 {
            return self;
        }
        Text::new(
            format!("signature {n} of {of}: {}", self.en),
            format!("подпись {n} из {of}: {}", self.ru),
        )
    }
}

impl Verification {
    fn invalid(problem: Text, pdf: &[u8], lang: Lang) -> Verification {
        let (data, data_audit, data_problem) = crate::data::status(pdf, false);
        Verification {
            valid: false,
            signer: None,
            signed_at: None,
            trusted: None,
            problem: Some(problem.get(lang)),
            claimed_signer: None,
            identity: None,
            certificate: None,
            trust_problem: None,
            signatures: Vec::new(),
            data,
            data_audit,
            data_problem: data_problem.map(|p| p.text(lang)),
        }
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn time_of(t: &x509_cert::time::Time) -> DateTime<Utc> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// One signature dictionary found in the file.
pub(crate) struct Found {
    /// Where its `/ByteRange` is.
    at: usize,
    pub(crate) range: [usize; 4],
}

impl Found {
    /// The end of the revision it signs.
    pub(crate) fn end(&self) -> usize {
        self.range[2].saturating_add(self.range[3])
    }
}

/// Every `/ByteRange [a b c d]` in the file, in file order; an error names one that cannot be read.
pub(crate) fn signatures_in(pdf: &[u8]) -> Result<Vec<Found>, usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&pdf[from..], b"/ByteRange") {
        let at = from + i;
        from = at + 10;
        let n = out.len() + 1;
        let rest = &pdf[from..];
        let open = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .filter(|&p| rest[p] == b'[')
            .ok_or(n)?;
        let close = open + rest[open..].iter().position(|&b| b == b']').ok_or(n)?;
        let nums: Vec<usize> = std::str::from_utf8(&rest[open + 1..close])
            .map_err(|_| n)?
            .split_ascii_whitespace()
            .map(|s| {
                (s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            })
            .collect::<Option<_>>()
            .ok_or(n)?;
        out.push(Found {
            at,
            range: nums.try_into().map_err(|_| n)?,
        });
    }
    Ok(out)
}

/// The `/M (D:YYYYMMDDHHmmSS…)` of the signature dictionary around `at` (up to its `endobj`).
fn signing_time(pdf: &[u8], at: usize, after_contents: usize) -> Option<DateTime<Utc>> {
    let start = pdf[..at].windows(3).rposition(|w| w == b"obj").unwrap_or(0);
    let end = after_contents + find(&pdf[after_contents..], b"endobj").unwrap_or(0);
    let window = &pdf[start..end.max(start)];
    let m = window
        .windows(4)
        .position(|w| w == b"/M(D" || w == b"/M (")?;
    let d = m + window[m..].iter().position(|&b| b == b'D')?;
    let digits: String = window
        .get(d + 2..d + 16)?
        .iter()
        .map(|&b| b as char)
        .collect();
    let t = chrono::NaiveDateTime::parse_from_str(&digits, "%Y%m%d%H%M%S").ok()?;
    Some(t.and_utc())
}

/// `/Contents`: exactly hex digits, an even number of them, read into bytes.
fn strict_hex(hex: &[u8]) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    hex.chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Checks every signature of a PDF and tells the findings in English. See [`verify_pdf_in`].
pub fn verify_pdf(pdf: &[u8], trust: Option<&[u8]>) -> Verification {
    verify_pdf_in(pdf, trust, Lang::En)
}

/// Checks every signature of a PDF: each signs the file as it was up to its own revision, each
/// is its certificate's, nothing but later signatures was added after any of them, and the last
/// covers the whole file. `trust` is a certificate (PEM or DER): the signer's own, or a CA's
/// that issued it directly or through the certificates the signature carries. The findings are
/// told in `lang`.
pub fn verify_pdf_in(pdf: &[u8], trust: Option<&[u8]>, lang: Lang) -> Verification {
    if !pdf.starts_with(b"%PDF-") {
        return Verification::invalid(
            if pdf.is_empty() {
                Text::new("the file is empty", "файл пуст")
            } else {
                Text::new("this is not a PDF file", "это не файл PDF")
            },
            pdf,
            lang,
        );
    }
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    if find_last(tail, b"%%EOF").is_none() {
        return Verification::invalid(
            Text::new(
                "the file is cut short (it does not end as a PDF does); ask for the report again",
                "файл обрезан (он не заканчивается так, как PDF); запросите отчёт ещё раз",
            ),
            pdf,
            lang,
        );
    }
    let found = match signatures_in(pdf) {
        Ok(f) if f.is_empty() => {
            return Verification::invalid(
                Text::new("the PDF carries no signature", "в PDF нет подписи"),
                pdf,
                lang,
            );
        }
        Ok(f) => f,
        Err(n) => {
            return Verification::invalid(
                Text::new(
                    format!("the signed ranges (/ByteRange) of signature {n} cannot be read"),
                    format!("не читаются подписанные диапазоны (/ByteRange) подписи {n}"),
                ),
                pdf,
                lang,
            );
        }
    };
    let anchor = trust.map(read_trust);
    let count = found.len();
    let mut checks = Vec::with_capacity(count);
    let mut first_problem: Option<Text> = None;
    for (i, f) in found.iter().enumerate() {
        let (check, problem) = check_signature(pdf, f, anchor.as_ref(), lang);
        if first_problem.is_none()
            && let Some(p) = problem
        {
            first_problem = Some(p.of_signature(i + 1, count));
        }
        checks.push(check);
    }
    // The data is in the revision the first signature covers: that signature's own check.
    let first_valid = checks.first().is_some_and(|c| c.valid);
    // The signatures, each over a longer revision than the one before; the last over the file.
    let ordered = found.windows(2).all(|w| w[0].end() < w[1].range[1]);
    if first_problem.is_none() && !ordered {
        first_problem = Some(Text::new(
            "the signatures overlap: one signs bytes that come after a later one's",
            "подписи перекрываются: одна охватывает байты, идущие после другой, более поздней",
        ));
    }
    if first_problem.is_none() && found.last().map(Found::end) != Some(pdf.len()) {
        first_problem = Some(Text::new(
            "the signature does not cover the whole file: something was added or cut after signing",
            "подпись охватывает не весь файл: после подписания что-то добавили или отрезали",
        ));
    }
    if first_problem.is_none() {
        for (i, w) in found.windows(2).enumerate() {
            if let Some(change) = changes_between(pdf, &w[0], &w[1]) {
                let n = i + 1;
                first_problem = Some(Text::new(
                    format!(
                        "the document was changed after signature {n} was made: {} (only a later signature may be added to a signed report)",
                        change.en
                    ),
                    format!(
                        "документ изменили после подписи {n}: {} (к подписанному отчёту можно добавить только следующую подпись)",
                        change.ru
                    ),
                ));
                if let Some(c) = checks.get_mut(i) {
                    c.valid = false;
                    c.problem = first_problem.as_ref().map(|p| p.get(lang));
                }
                break;
            }
        }
    }

    let last = checks.last().cloned();
    let trusted = anchor
        .as_ref()
        .map(|_| checks.iter().all(|c| c.trusted == Some(true)));
    let identity = identity_sentence(&checks, anchor.is_some(), lang);
    let (data, data_audit, data_problem) = crate::data::status(pdf, first_valid);
    Verification {
        valid: first_problem.is_none() && checks.iter().all(|c| c.valid),
        signer: last
            .as_ref()
            .filter(|c| c.trusted == Some(true))
            .and_then(|c| c.claimed_signer.clone()),
        signed_at: last.as_ref().and_then(|c| c.signed_at.clone()),
        trusted,
        problem: first_problem.map(|p| p.get(lang)),
        claimed_signer: last.as_ref().and_then(|c| c.claimed_signer.clone()),
        identity,
        certificate: last.as_ref().and_then(|c| c.certificate.clone()),
        trust_problem: checks.iter().find_map(|c| c.trust_problem.clone()),
        signatures: checks,
        data,
        data_audit,
        data_problem: data_problem.map(|p| p.text(lang)),
    }
}

/// Who signed, in words that say whether it is confirmed.
fn identity_sentence(checks: &[SignatureCheck], with_trust: bool, lang: Lang) -> Option<String> {
    let count = checks.len();
    let parts: Vec<String> = checks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = c.claimed_signer.as_deref()?;
            let cert = c.certificate.as_ref()?;
            let text = if c.trusted == Some(true) {
                let (later_en, later_ru) = match &c.revoked_at {
                    Some(at) => (
                        format!("; the certificate was revoked on {at}, after this signature was made"),
                        format!("; сертификат отозван {at}, уже после этой подписи"),
                    ),
                    None => (String::new(), String::new()),
                };
                Text::new(
                    format!("signed by {name} (certificate issued by {}, which is trusted here){later_en}", cert.issuer),
                    format!("подписал(а) {name} (сертификат выдан {}, ему здесь доверяют){later_ru}", cert.issuer),
                )
            } else if let Some(at) = &c.revoked_at {
                Text::new(
                    format!(
                        "signed by a certificate that names itself {name}, issued by {}, which revoked it on {at}, no later than this signature: the signer's identity is not confirmed",
                        cert.issuer
                    ),
                    format!(
                        "подписано сертификатом, который называет себя «{name}», выданным {}; он отозван {at}, не позже этой подписи, поэтому личность подписавшего не подтверждена",
                        cert.issuer
                    ),
                )
            } else if cert.self_made {
                Text::new(
                    format!(
                        "signed by a certificate that names itself {name}; it is self-made, and no trusted certificate confirms it{}",
                        if with_trust { "" } else { " (to check it, give the chain's HQ certificate as the trusted one)" }
                    ),
                    format!(
                        "подписано сертификатом, который называет себя «{name}»; он создан самим подписавшим, и доверенный сертификат его не подтверждает{}",
                        if with_trust { "" } else { " (для проверки укажите сертификат ЦО как доверенный)" }
                    ),
                )
            } else {
                Text::new(
                    format!(
                        "signed by a certificate that names itself {name}; its issuer ({}) is not trusted here, so the signer's identity is not confirmed",
                        cert.issuer
                    ),
                    format!(
                        "подписано сертификатом, который называет себя «{name}»; его издателю ({}) здесь не доверяют, поэтому личность подписавшего не подтверждена",
                        cert.issuer
                    ),
                )
            };
            Some(text.of_signature(i + 1, count).get(lang))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Checks one signature's bytes, CMS and certificate; returns what it found and its problem.
fn check_signature(
    pdf: &[u8],
    f: &Found,
    anchor: Option<&Option<Trust>>,
    lang: Lang,
) -> (SignatureCheck, Option<Text>) {
    let [a, b, c, d] = f.range;
    let mut check = SignatureCheck {
        valid: false,
        claimed_signer: None,
        signed_at: None,
        certificate: None,
        trusted: None,
        trust_problem: None,
        problem: None,
        revoked_at: None,
    };
    let fail = |mut check: SignatureCheck, t: Text| {
        check.problem = Some(t.get(lang));
        (check, Some(t))
    };
    // The hole is this dictionary's /Contents string, and the ranges end a revision.
    let holds_contents = b < pdf.len() && {
        let before = &pdf[b.saturating_sub(64)..b];
        let trimmed = before
            .iter()
            .rposition(|x| !x.is_ascii_whitespace())
            .map_or(&before[..0], |p| &before[..=p]);
        trimmed.ends_with(b"/Contents")
    };
    let end = c.checked_add(d);
    let ends_revision = end.is_some_and(|e| {
        e <= pdf.len() && {
            let text = &pdf[..e];
            let trimmed = text
                .iter()
                .rposition(|x| !x.is_ascii_whitespace())
                .map_or(&text[..0], |p| &text[..=p]);
            trimmed.ends_with(b"%%EOF")
        }
    });
    if a != 0
        || b >= c
        || (b..c).contains(&f.at)
        || !ends_revision
        || !holds_contents
        || pdf.get(b) != Some(&b'<')
        || pdf.get(c - 1) != Some(&b'>')
    {
        return fail(
            check,
            Text::new(
                "the signature does not cover the whole file: something was added or cut after signing",
                "подпись охватывает не весь файл: после подписания что-то добавили или отрезали",
            ),
        );
    }
    let signed_at = signing_time(pdf, f.at, c);
    check.signed_at = signed_at.map(rfc3339);
    let Some(der) = strict_hex(&pdf[b + 1..c - 1]) else {
        return fail(
            check,
            Text::new(
                "the signature is damaged (/Contents holds something other than hexadecimal digits)",
                "подпись повреждена (в /Contents есть что-то, кроме шестнадцатеричных цифр)",
            ),
        );
    };
    let cms = match read_cms(&der) {
        Ok(cms) => cms,
        Err(t) => return fail(check, t),
    };
    let cert = cms.cert;
    check.claimed_signer = common_name(&cert.tbs_certificate.subject);
    check.certificate = Some(CertificateInfo::of(&cert));
    if let Some(anchor) = anchor {
        let verdict = match anchor {
            Some(trust) => {
                trust_chain(&cert, &cms.others, &trust.anchor, signed_at).and_then(|()| {
                    check.revoked_at = revocation(&cert, trust).map(|r| rfc3339(r.at));
                    not_revoked(&cert, trust, signed_at)
                })
            }
            None => Err(Text::new(
                "the trusted certificate cannot be read",
                "доверенный сертификат не читается",
            )),
        };
        let verdict = verdict.map(|_| ());
        check.trusted = Some(verdict.is_ok());
        check.trust_problem = verdict.err().map(|t| t.get(lang));
    }

    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..c + d]);
    let digest = hasher.finalize();
    let attrs = cms.attrs;
    let signed_digest = single_value(&attrs, OID_MESSAGE_DIGEST).and_then(|v| {
        der::asn1::OctetStringRef::try_from(&v)
            .ok()
            .map(|o| o.as_bytes().to_vec())
    });
    if signed_digest.as_deref() != Some(digest.as_slice()) {
        return fail(
            check,
            Text::new(
                "the document was changed after it was signed",
                "документ изменили после подписания",
            ),
        );
    }
    let key = public_key(&cert);
    let (Some(key), Ok(message), Ok(sig)) = (
        key,
        attrs.to_der(),
        DerSignature::from_bytes(cms.signature.as_slice()),
    ) else {
        return fail(
            check,
            Text::new(
                "the signature is not an ECDSA P-256 signature this program can check",
                "это не подпись ECDSA P-256, которую умеет проверять программа",
            ),
        );
    };
    if signature::Verifier::verify(&key, &message, &sig).is_err() {
        return fail(
            check,
            Text::new(
                "the signature does not match the signer's certificate",
                "подпись не соответствует сертификату подписавшего",
            ),
        );
    }
    // The signed attributes name the certificate by its hash: a certificate changed after
    // signing (another name put in, say) no longer matches.
    let named = single_value(&attrs, OID_SIGNING_CERTIFICATE_V2).and_then(|v| certificate_hash(&v));
    let actual = cert.to_der().ok().map(|d| Sha256::digest(d).to_vec());
    if named.is_none() || named != actual {
        return fail(
            check,
            Text::new(
                "the signer's certificate is not the one the signature names: it was changed or replaced",
                "сертификат подписавшего — не тот, что назван в подписи: его изменили или подменили",
            ),
        );
    }
    check.valid = true;
    (check, None)
}

/// A signature's CMS, read strictly.
struct Cms {
    /// The certificate the SignerInfo names.
    cert: Certificate,
    /// The other certificates it carries (issuers, perhaps).
    others: Vec<Certificate>,
    attrs: x509_cert::attr::Attributes,
    signature: Vec<u8>,
}

fn damaged(en_detail: &str, ru_detail: &str) -> Text {
    Text::new(
        format!("the signature is damaged (its CMS data {en_detail})"),
        format!("подпись повреждена (её данные CMS {ru_detail})"),
    )
}

/// Whether an algorithm identifier is `oid` with no parameters (or, for digests, NULL ones).
fn is_algorithm(alg: &AlgorithmIdentifierOwned, oid: ObjectIdentifier, null_ok: bool) -> bool {
    alg.oid == oid
        && match &alg.parameters {
            None => true,
            Some(p) => null_ok && p.tag() == Tag::Null && p.value().is_empty(),
        }
}

/// Reads the CMS in `/Contents`: DER that encodes back to the same bytes, then only zeros;
/// SignedData of data, detached, one SignerInfo with SHA-256 and ECDSA, versions that agree
/// with how the signer is named, and the signer's certificate among those it carries.
fn read_cms(der: &[u8]) -> Result<Cms, Text> {
    let unreadable = || {
        damaged(
            "cannot be read, or something was written after it",
            "не читаются, или после них что-то дописали",
        )
    };
    let mut reader = der::SliceReader::new(der).map_err(|_| unreadable())?;
    let ci = ContentInfo::decode(&mut reader).map_err(|_| unreadable())?;
    let used = ci
        .encoded_len()
        .ok()
        .and_then(|l| usize::try_from(u32::from(l)).ok())
        .ok_or_else(unreadable)?;
    // The signature is followed by zeros up to the size reserved for it; anything else there
    // was put in after signing.
    if !der
        .get(used..)
        .is_some_and(|rest| rest.iter().all(|&b| b == 0))
    {
        return Err(unreadable());
    }
    if ci.content_type != OID_SIGNED_DATA {
        return Err(damaged("are not SignedData", "не SignedData"));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|_| unreadable())?;
    let strict = ci.to_der().ok().as_deref() == Some(&der[..used])
        && sd.to_der().ok() == ci.content.to_der().ok();
    if !strict {
        return Err(damaged(
            "are not in the one DER form a signature has: bytes outside what was signed were changed",
            "не в единственной форме DER, которая бывает у подписи: изменены байты вне подписанного",
        ));
    }
    let field = |en: &str, ru: &str| damaged(&format!("has {en}"), &format!("содержат {ru}"));
    let digest_ok = sd.digest_algorithms.len() == 1
        && sd
            .digest_algorithms
            .iter()
            .all(|a| is_algorithm(a, OID_SHA256, true));
    if !digest_ok {
        return Err(field(
            "digest algorithms other than SHA-256 alone",
            "алгоритмы хеширования, отличные от одного SHA-256",
        ));
    }
    if sd.encap_content_info.econtent_type != OID_DATA || sd.encap_content_info.econtent.is_some() {
        return Err(field(
            "a content type other than detached data",
            "тип содержимого, отличный от отсоединённых данных (data)",
        ));
    }
    if sd.signer_infos.0.len() != 1 {
        return Err(field(
            &format!("{} signers where one belongs", sd.signer_infos.0.len()),
            &format!(
                "подписавших: {}, а должен быть один",
                sd.signer_infos.0.len()
            ),
        ));
    }
    let si: &SignerInfo = sd.signer_infos.0.get(0).ok_or_else(unreadable)?;
    let by_key_id = matches!(si.sid, SignerIdentifier::SubjectKeyIdentifier(_));
    let (sd_version, si_version) = if by_key_id {
        (CmsVersion::V3, CmsVersion::V3)
    } else {
        (CmsVersion::V1, CmsVersion::V1)
    };
    if sd.version != sd_version || si.version != si_version {
        return Err(field(
            &format!(
                "version {} (SignedData) and {} (SignerInfo) where {} and {} belong",
                sd.version as u8, si.version as u8, sd_version as u8, si_version as u8
            ),
            &format!(
                "версии {} (SignedData) и {} (SignerInfo), а должны быть {} и {}",
                sd.version as u8, si.version as u8, sd_version as u8, si_version as u8
            ),
        ));
    }
    if !is_algorithm(&si.digest_alg, OID_SHA256, true) {
        return Err(field(
            "a signer digest algorithm other than SHA-256",
            "алгоритм хеширования подписавшего, отличный от SHA-256",
        ));
    }
    if !is_algorithm(&si.signature_algorithm, OID_ECDSA_SHA256, false) {
        return Err(field(
            "a signature algorithm other than ECDSA with SHA-256",
            "алгоритм подписи, отличный от ECDSA с SHA-256",
        ));
    }
    let Some(attrs) = si.signed_attrs.clone() else {
        return Err(Text::new(
            "the signature has no signed attributes",
            "у подписи нет подписанных атрибутов",
        ));
    };
    let content_type = single_value(&attrs, OID_CONTENT_TYPE).and_then(|v| {
        ObjectIdentifier::from_bytes(v.value())
            .ok()
            .filter(|_| v.tag() == Tag::ObjectIdentifier)
    });
    if content_type != Some(OID_DATA) {
        return Err(field(
            "a signed content type other than data",
            "подписанный тип содержимого, отличный от data",
        ));
    }
    let mut certs = Vec::new();
    for c in sd
        .certificates
        .as_ref()
        .map(|s| s.0.iter())
        .into_iter()
        .flatten()
    {
        match c {
            CertificateChoices::Certificate(c) => certs.push(c.clone()),
            CertificateChoices::Other(_) => {
                return Err(field(
                    "a certificate of another kind than X.509",
                    "сертификат другого вида, не X.509",
                ));
            }
        }
    }
    let Some(at) = certs.iter().position(|c| names(&si.sid, c)) else {
        return Err(Text::new(
            "the signature does not carry the certificate it names",
            "в подписи нет сертификата, который она называет",
        ));
    };
    let cert = certs.remove(at);
    Ok(Cms {
        cert,
        others: certs,
        attrs,
        signature: si.signature.as_bytes().to_vec(),
    })
}

/// Whether the SignerInfo's identifier names `cert`.
fn names(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == tbs.issuer && ias.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(tbs.get::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
        }
    }
}

/// The one value of the attribute `oid`; none when it is missing or has several.
fn single_value(attrs: &x509_cert::attr::Attributes, oid: ObjectIdentifier) -> Option<Any> {
    let mut matching = attrs.iter().filter(|a| a.oid == oid);
    let attr = matching.next()?;
    if matching.next().is_some() || attr.values.len() != 1 {
        return None;
    }
    attr.values.iter().next().cloned()
}

/// The elements inside a constructed DER value.
fn children(any: &Any) -> Option<Vec<Any>> {
    let mut reader = der::SliceReader::new(any.value()).ok()?;
    let mut out = Vec::new();
    while !der::Reader::is_finished(&reader) {
        out.push(Any::decode(&mut reader).ok()?);
    }
    Some(out)
}

/// The SHA-256 certificate hash of an ESS signing-certificate-v2 value (its first ESSCertIDv2).
fn certificate_hash(value: &Any) -> Option<Vec<u8>> {
    let certs = children(value)?.into_iter().next()?;
    let id = children(&certs)?.into_iter().next()?;
    let mut parts = children(&id)?.into_iter();
    let mut first = parts.next()?;
    if first.tag() == Tag::Sequence {
        // hashAlgorithm: only SHA-256 is checked here.
        let alg = children(&first)?.into_iter().next()?;
        let oid = ObjectIdentifier::from_bytes(alg.value()).ok()?;
        (oid == OID_SHA256).then_some(())?;
        first = parts.next()?;
    }
    (first.tag() == Tag::OctetString).then(|| first.value().to_vec())
}

fn public_key(cert: &Certificate) -> Option<VerifyingKey> {
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()
        .and_then(|d| VerifyingKey::from_public_key_der(&d).ok())
}

/// Whether `issuer`'s key made `cert`'s signature (ECDSA P-256 with SHA-256).
pub(crate) fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.signature_algorithm != cert.tbs_certificate.signature
        || !is_algorithm(&cert.signature_algorithm, OID_ECDSA_SHA256, false)
    {
        return false;
    }
    let (Some(key), Ok(tbs), Some(raw)) = (
        public_key(issuer),
        cert.tbs_certificate.to_der(),
        cert.signature.as_bytes(),
    ) else {
        return false;
    };
    DerSignature::from_bytes(raw)
        .map(|sig| signature::Verifier::verify(&key, &tbs, &sig).is_ok())
        .unwrap_or(false)
}

fn label(cert: &Certificate) -> String {
    CertificateInfo::of(cert).subject
}

/// The certificate was valid at the time the signature claims.
fn valid_at(cert: &Certificate, at: DateTime<Utc>, role: (&str, &str)) -> Result<(), Text> {
    let v = &cert.tbs_certificate.validity;
    let (from, to) = (time_of(&v.not_before), time_of(&v.not_after));
    if from <= at && at <= to {
        return Ok(());
    }
    Err(Text::new(
        format!(
            "{} «{}» was not valid at the signing time the signature claims ({}): it is valid from {} to {}",
            role.0,
            label(cert),
            rfc3339(at),
            rfc3339(from),
            rfc3339(to)
        ),
        format!(
            "{} «{}» не действовал в момент подписания, который указан в подписи ({}): он действует с {} по {}",
            role.1,
            label(cert),
            rfc3339(at),
            rfc3339(from),
            rfc3339(to)
        ),
    ))
}

/// An issuer is a CA (basicConstraints cA), may sign certificates (keyUsage keyCertSign) and
/// allows as many certificates below it as there are.
fn may_issue(cert: &Certificate, below: u8, role: (&str, &str)) -> Result<(), Text> {
    let ca = match cert.tbs_certificate.get::<BasicConstraints>() {
        Ok(Some((_, bc))) => bc,
        _ => BasicConstraints {
            ca: false,
            path_len_constraint: None,
        },
    };
    if !ca.ca {
        return Err(Text::new(
            format!(
                "{} «{}» is not a certificate authority's (it has no CA basic constraint), so certificates its key signed are not trusted",
                role.0,
                label(cert)
            ),
            format!(
                "{} «{}» — не сертификат удостоверяющего центра (нет ограничения CA), поэтому подписанным его ключом сертификатам не доверяют",
                role.1,
                label(cert)
            ),
        ));
    }
    if let Some(limit) = ca.path_len_constraint
        && below > limit
    {
        return Err(Text::new(
            format!(
                "{} «{}» allows {limit} intermediate certificates below it, and there are {below}",
                role.0,
                label(cert)
            ),
            format!(
                "{} «{}» допускает под собой промежуточных сертификатов: {limit}, а их {below}",
                role.1,
                label(cert)
            ),
        ));
    }
    match cert.tbs_certificate.get::<KeyUsage>() {
        Ok(Some((_, usage))) if !usage.key_cert_sign() => Err(Text::new(
            format!(
                "{} «{}» may not sign certificates (its key usage lacks keyCertSign)",
                role.0,
                label(cert)
            ),
            format!(
                "{} «{}» не может подписывать сертификаты (в назначении ключа нет keyCertSign)",
                role.1,
                label(cert)
            ),
        )),
        Err(_) => Err(Text::new(
            format!(
                "the key usage of {} «{}» cannot be read",
                role.0,
                label(cert)
            ),
            format!("назначение ключа: {} «{}» не читается", role.1, label(cert)),
        )),
        _ => Ok(()),
    }
}

/// What the reader trusts: the certificate given as trusted, and what the revocation lists
/// that came with it and that it signed say.
pub(crate) struct Trust {
    anchor: Certificate,
    revoked: Vec<crate::ca::Revocation>,
    /// A revocation list that is there but is not the trusted certificate's, or unreadable.
    crl_problem: Option<Text>,
}

fn read_trust(bytes: &[u8]) -> Option<Trust> {
    let file = crate::ca::TrustFile::read(bytes)?;
    let mut revoked = Vec::new();
    let mut crl_problem = None;
    for der in &file.crls {
        match crate::ca::read_crl(der, &file.anchor) {
            Some(mut list) => revoked.append(&mut list),
            None => {
                crl_problem = Some(Text::new(
                    "the revocation list that comes with the trusted certificate is damaged or not signed by it",
                    "список отозванных сертификатов, приложенный к доверенному сертификату, повреждён или подписан не им",
                ))
            }
        }
    }
    Some(Trust {
        anchor: file.anchor,
        revoked,
        crl_problem,
    })
}

/// The trusted CA's revocation of `leaf`, if it revoked it.
fn revocation<'t>(leaf: &Certificate, trust: &'t Trust) -> Option<&'t crate::ca::Revocation> {
    if leaf.tbs_certificate.issuer != trust.anchor.tbs_certificate.subject {
        return None;
    }
    let serial = leaf.tbs_certificate.serial_number.as_bytes();
    trust.revoked.iter().find(|r| r.serial == serial)
}

/// Whether the trusted CA revoked `leaf` before `at` (an error that says when and why); when
/// it revoked it after, when.
fn not_revoked(
    leaf: &Certificate,
    trust: &Trust,
    at: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, Text> {
    if let Some(problem) = &trust.crl_problem {
        return Err(problem.clone());
    }
    let Some(r) = revocation(leaf, trust) else {
        return Ok(None);
    };
    let Some(at) = at else {
        return Ok(None);
    };
    if r.at > at {
        return Ok(Some(r.at));
    }
    let issuer = label(&trust.anchor);
    let (why_en, why_ru) = match r.reason {
        Some(reason) => (
            format!(" ({})", reason.text(Lang::En)),
            format!(" ({})", reason.text(Lang::Ru)),
        ),
        None => (String::new(), String::new()),
    };
    Err(Text::new(
        format!(
            "the signer's certificate was revoked by «{issuer}» on {}{why_en}, and this signature says it was made on {}, not before that: it is not trusted",
            rfc3339(r.at),
            rfc3339(at)
        ),
        format!(
            "сертификат подписавшего отозван «{issuer}» {}{why_ru}, а подпись, по её собственному времени, сделана {} — не раньше отзыва: ей не доверяют",
            rfc3339(r.at),
            rfc3339(at)
        ),
    ))
}

const SIGNER: (&str, &str) = ("the signer's certificate", "сертификат подписавшего");
const ISSUER: (&str, &str) = ("the issuing certificate", "сертификат издателя");
const TRUSTED: (&str, &str) = ("the trusted certificate", "доверенный сертификат");

/// Whether `anchor` confirms `leaf`: it is `leaf` itself, or a CA that issued it directly or
/// through CA certificates among `others`, every one valid at the claimed signing time.
fn trust_chain(
    leaf: &Certificate,
    others: &[Certificate],
    anchor: &Certificate,
    at: Option<DateTime<Utc>>,
) -> Result<(), Text> {
    let Some(at) = at else {
        return Err(Text::new(
            "the signature claims no signing time, so the certificates' validity cannot be checked",
            "в подписи не указано время подписания, поэтому срок действия сертификатов проверить нельзя",
        ));
    };
    valid_at(leaf, at, SIGNER)?;
    match leaf.tbs_certificate.get::<KeyUsage>() {
        Ok(Some((_, u))) if !(u.digital_signature() || u.non_repudiation()) => {
            return Err(Text::new(
                "the signer's certificate is not for signing (its key usage has neither digitalSignature nor nonRepudiation)",
                "сертификат подписавшего не предназначен для подписи (в назначении ключа нет ни digitalSignature, ни nonRepudiation)",
            ));
        }
        Err(_) => {
            return Err(Text::new(
                "the key usage of the signer's certificate cannot be read",
                "назначение ключа в сертификате подписавшего не читается",
            ));
        }
        _ => {}
    }
    if leaf == anchor {
        return Ok(());
    }
    let mut current = leaf;
    let mut used = vec![false; others.len()];
    for below in 0..=others.len() {
        let below = u8::try_from(below).unwrap_or(u8::MAX);
        if anchor.tbs_certificate.subject == current.tbs_certificate.issuer
            && signed_by(current, anchor)
        {
            may_issue(anchor, below, TRUSTED)?;
            return valid_at(anchor, at, TRUSTED);
        }
        let next = others.iter().enumerate().find(|(i, c)| {
            !used[*i]
                && c.tbs_certificate.subject == current.tbs_certificate.issuer
                && signed_by(current, c)
        });
        let Some((i, issuer)) = next else {
            break;
        };
        may_issue(issuer, below, ISSUER)?;
        valid_at(issuer, at, ISSUER)?;
        used[i] = true;
        current = issuer;
    }
    Err(Text::new(
        "the signer's certificate was not issued by the trusted certificate, directly or through the certificates the signature carries",
        "сертификат подписавшего выдан не доверенным сертификатом — ни напрямую, ни через сертификаты, которые несёт подпись",
    ))
}

// ---- What an incremental update after a signature may hold ----

/// Whether two PDF objects are the same (strings compared by their bytes, however written).
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x, _), Object::String(y, _)) => x == y,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict(x, y, &[]),
        (Object::Stream(x), Object::Stream(y)) => {
            same_dict(&x.dict, &y.dict, &[]) && x.content == y.content
        }
        _ => a == b,
    }
}

/// Whether two dictionaries are the same but for the keys in `except`.
fn same_dict(x: &Dictionary, y: &Dictionary, except: &[&[u8]]) -> bool {
    let keys = |d: &Dictionary| {
        d.iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !except.contains(&k.as_slice()))
            .collect::<std::collections::BTreeSet<_>>()
    };
    keys(x) == keys(y)
        && x.iter()
            .filter(|(k, _)| !except.contains(&k.as_slice()))
            .all(|(k, v)| y.get(k).is_ok_and(|w| same(v, w)))
}

fn type_of(o: &Object) -> Option<Vec<u8>> {
    let d = match o {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        _ => return None,
    };
    d.get(b"Type").ok()?.as_name().ok().map(<[u8]>::to_vec)
}

/// What kind of object it is, for a message.
fn kind(o: &Object) -> String {
    match (type_of(o), o) {
        (Some(t), _) => String::from_utf8_lossy(&t).into_owned(),
        (None, Object::Stream(_)) => "stream".into(),
        (None, _) => "object".into(),
    }
}

/// The references in an array held directly or through a reference (none when absent).
fn refs(doc: &lopdf::Document, o: Option<&Object>) -> Option<Vec<ObjectId>> {
    let array = match o {
        None => return Some(Vec::new()),
        Some(Object::Reference(r)) => doc.get_object(*r).ok()?.as_array().ok()?,
        Some(Object::Array(a)) => a,
        Some(_) => return None,
    };
    array.iter().map(|x| x.as_reference().ok()).collect()
}

/// `after` is `before` with only `added` put in.
fn only_added(before: &[ObjectId], after: &[ObjectId], added: Option<ObjectId>) -> bool {
    after.starts_with(before)
        && after[before.len()..].iter().all(|r| Some(*r) == added)
        && after.len() <= before.len() + 1
}

fn dict_of(doc: &lopdf::Document, o: Option<&Object>) -> Option<Dictionary> {
    match o? {
        Object::Reference(r) => doc.get_object(*r).ok()?.as_dict().ok().cloned(),
        Object::Dictionary(d) => Some(d.clone()),
        _ => None,
    }
}

/// What the update between signature `prev` and signature `next` holds beyond `next` itself;
/// none when it is only the later signature.
fn changes_between(pdf: &[u8], prev: &Found, next: &Found) -> Option<Text> {
    let unreadable = || {
        Some(Text::new(
            "the revision that adds the later signature cannot be read",
            "не читается редакция, добавляющая следующую подпись",
        ))
    };
    let Ok(before) = lopdf::Document::load_mem(&pdf[..prev.end()]) else {
        return unreadable();
    };
    let Ok(after) = lopdf::Document::load_mem(&pdf[..next.end()]) else {
        return unreadable();
    };
    let root = |d: &lopdf::Document| d.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let (Some(root_id), true) = (root(&after), root(&before) == root(&after)) else {
        return Some(Text::new(
            "the document's catalog was replaced",
            "заменён каталог документа",
        ));
    };
    for key in [b"Info".as_slice(), b"Encrypt"] {
        let (x, y) = (before.trailer.get(key).ok(), after.trailer.get(key).ok());
        if x.is_some() != y.is_some() || x.zip(y).is_some_and(|(x, y)| !same(x, y)) {
            return Some(Text::new(
                format!(
                    "the trailer's /{} was changed",
                    String::from_utf8_lossy(key)
                ),
                format!("в трейлере изменён /{}", String::from_utf8_lossy(key)),
            ));
        }
    }
    let change = |id: ObjectId, o: &Object, what: (&str, &str)| {
        Some(Text::new(
            format!("object {} ({}) was {}", id.0, kind(o), what.0),
            format!("объект {} ({}) {}", id.0, kind(o), what.1),
        ))
    };
    if let Some((id, o)) = before
        .objects
        .iter()
        .find(|(id, _)| !after.objects.contains_key(*id))
    {
        return change(*id, o, ("removed", "удалён"));
    }
    // The later signature's dictionary, then its widget (a field of type Sig whose value it is).
    let is_signature = |o: &Object| {
        o.as_dict().is_ok_and(|d| {
            d.get(b"ByteRange")
                .and_then(Object::as_array)
                .is_ok_and(|r| {
                    r.iter().map(|x| x.as_i64().ok()).collect::<Vec<_>>()
                        == next
                            .range
                            .iter()
                            .map(|&n| i64::try_from(n).ok())
                            .collect::<Vec<_>>()
                })
        })
    };
    let added: Vec<(&ObjectId, &Object)> = after
        .objects
        .iter()
        .filter(|(id, _)| !before.objects.contains_key(*id))
        .collect();
    let sig = added
        .iter()
        .find(|(_, o)| is_signature(o))
        .map(|(id, _)| **id);
    let is_widget = |o: &Object| {
        o.as_dict().is_ok_and(|d| {
            let zero_area = d.get(b"Rect").and_then(Object::as_array).is_ok_and(|r| {
                let n: Vec<f32> = r.iter().filter_map(|x| x.as_float().ok()).collect();
                n.len() == 4 && (n[0] == n[2] || n[1] == n[3])
            });
            d.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
                && sig.is_some()
                && d.get(b"V").and_then(Object::as_reference).ok() == sig
                && zero_area
                && d.get(b"AP").is_err()
        })
    };
    let widget = added.iter().find(|(_, o)| is_widget(o)).map(|(id, _)| **id);
    for (id, o) in &added {
        let structural = matches!(type_of(o).as_deref(), Some(b"XRef" | b"ObjStm"));
        if Some(**id) != sig && Some(**id) != widget && !structural {
            return change(**id, o, ("added", "добавлен"));
        }
    }
    for (id, new) in &after.objects {
        let Some(old) = before.objects.get(id) else {
            continue;
        };
        if same(old, new) {
            continue;
        }
        let allowed = match (old, new) {
            // The catalog: only its form, which lists the new field besides the old ones.
            (Object::Dictionary(x), Object::Dictionary(y)) if *id == root_id => {
                same_dict(x, y, &[b"AcroForm"])
                    && form_only_adds(
                        &before,
                        &after,
                        x.get(b"AcroForm").ok(),
                        y.get(b"AcroForm").ok(),
                        widget,
                    )
            }
            // A page: only its annotations, which gain the new widget.
            (Object::Dictionary(x), Object::Dictionary(y))
                if type_of(old).as_deref() == Some(b"Page".as_slice()) =>
            {
                same_dict(x, y, &[b"Annots"])
                    && match (
                        refs(&before, x.get(b"Annots").ok()),
                        refs(&after, y.get(b"Annots").ok()),
                    ) {
                        (Some(p), Some(q)) => only_added(&p, &q, widget),
                        _ => false,
                    }
            }
            // A form held by reference.
            (Object::Dictionary(x), Object::Dictionary(_)) if x.has(b"Fields") => {
                form_only_adds(&before, &after, Some(old), Some(new), widget)
            }
            // An array of annotations or fields held by reference.
            (Object::Array(_), Object::Array(_)) => {
                match (refs(&before, Some(old)), refs(&after, Some(new))) {
                    (Some(p), Some(q)) => only_added(&p, &q, widget),
                    _ => false,
                }
            }
            _ => false,
        };
        if !allowed {
            return change(*id, new, ("changed", "изменён"));
        }
    }
    None
}

/// The form (`/AcroForm`) after the update is the one before with the new field added and
/// `/SigFlags` set, nothing else.
fn form_only_adds(
    before: &lopdf::Document,
    after: &lopdf::Document,
    old: Option<&Object>,
    new: Option<&Object>,
    widget: Option<ObjectId>,
) -> bool {
    let old_form = dict_of(before, old).unwrap_or_default();
    let Some(new_form) = dict_of(after, new) else {
        return old.is_none() && new.is_none();
    };
    same_dict(&old_form, &new_form, &[b"Fields", b"SigFlags"])
        && match (
            refs(before, old_form.get(b"Fields").ok()),
            refs(after, new_form.get(b"Fields").ok()),
        ) {
            (Some(p), Some(q)) => only_added(&p, &q, widget),
            _ => false,
        }
}
