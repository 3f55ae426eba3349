//! storecheck-server: the HQ server. Stores push the same signed bundles they would carry on a
//! stick, and fetch the HQ package; the network is one more way to carry the same files, never a
//! second set of rules.
//!
//! - `POST /v1/bundles`: the body is a bundle, taken exactly as `hq import` takes a file
//!   ([`storecheck_hq::HqDb::import_bytes`]: every check before anything is written, one
//!   transaction). 200 with the file's outcome (added, already present), 422 with the reason when
//!   it is refused, 413 when it is larger than the server takes, 408 when it does not arrive in
//!   time, 429 when one device (or one address) sends too much too fast, 503 when the HQ
//!   database cannot be written. The same bundle twice is the same as once.
//! - `GET /v1/package?after=N`: the latest HQ package (its number in `x-storecheck-sequence`),
//!   204 when it is not newer than `N`, 404 when HQ has made none.
//! - `GET /v1/health`.
//!
//! The server keeps no state of its own beyond the HQ database (and the rate buckets, which a
//! restart forgets). Writes go through one connection, as SQLite takes one writer at a time.
//!
//! [`serve`] speaks plain HTTP (for this computer only: the CLI refuses it elsewhere);
//! [`serve_tls`] speaks HTTPS with a [`Tls`] certificate and key (the one the chain's CA issues
//! the server, or one given): each connection is accepted by tokio-rustls within
//! [`Limits::handshake_timeout`], then served by hyper with the same routes and limits.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use storecheck_core::Lang;
use storecheck_core::i18n::Text as _;
use storecheck_hq::HqDb;

/// How much the server takes, and how fast.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest body (a bundle) taken.
    pub body_bytes: usize,
    /// A request not answered within this (a slow or endless upload) gets 408.
    pub request_timeout: Duration,
    /// Requests one device may send at once before it must slow down.
    pub burst: f64,
    /// Requests per second one device may keep sending.
    pub per_second: f64,
    /// A TLS handshake not done within this is dropped (a connection that never speaks).
    pub handshake_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 256 << 20,
            request_timeout: Duration::from_secs(300),
            burst: 60.0,
            per_second: 10.0,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// A token bucket: `tokens` left as of `at`.
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The server's connections to the HQ database: a request takes one for the time it runs on a
/// blocking thread, and waits when all are in use. SQLite takes one writer at a time, so one
/// connection serves it; PostgreSQL serves several requests at once, from every instance.
struct Pool {
    free: Mutex<Vec<HqDb>>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl Pool {
    fn new(connections: Vec<HqDb>) -> Pool {
        let n = connections.len();
        Pool {
            free: Mutex::new(connections),
            permits: Arc::new(tokio::sync::Semaphore::new(n)),
        }
    }

    /// Runs `f` with a connection on a blocking thread; `None` when it panicked (that
    /// connection is then dropped, and the pool is one smaller).
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut HqDb) -> T + Send + 'static,
    ) -> Option<T> {
        let permit = self.permits.clone().acquire_owned().await.ok()?;
        let mut hq = self
            .free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .expect("a connection for every permit");
        let pool = self.clone();
        let done = tokio::task::spawn_blocking(move || {
            let out = f(&mut hq);
            pool.free.lock().unwrap_or_else(|p| p.into_inner()).push(hq);
            out
        })
        .await;
        match done {
            Ok(out) => {
                drop(permit);
                Some(out)
            }
            Err(_) => {
                permit.forget();
                None
            }
        }
    }
}

#[derive(Clone)]
struct Shared {
    hq: Arc<Pool>,
    limits: Limits,
    /// By device (as the request names it) and address; and by address alone, ten times as
    /// large, so that naming new devices does not get around the limit.
    buckets: Arc<Mutex<HashMap<(IpAddr, String), Bucket>>>,
}

impl Shared {
    /// None when the request may go on; else how long to wait.
    fn limited(&self, ip: IpAddr, device: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget the full ones: they are the same as new.
            let burst = self.limits.burst;
            buckets.retain(|_, b| b.tokens < burst * 10.0 - 1.0);
        }
        let mut take = |key: (IpAddr, String), scale: f64| {
            let (burst, rate) = (self.limits.burst * scale, self.limits.per_second * scale);
            let b = buckets.entry(key).or_insert(Bucket {
                tokens: burst,
                at: now,
            });
            b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(burst);
            b.at = now;
            if b.tokens >= 1.0 {
                b.tokens -= 1.0;
                None
            } else {
                Some(Duration::from_secs_f64((1.0 - b.tokens) / rate.max(1e-9)))
            }
        };
        take((ip, String::new()), 10.0).or_else(|| take((ip, device.to_string()), 1.0))
    }
}

/// The HQ server's routes over the connections `hq` (one or more to the same database).
pub fn router(hq: Vec<HqDb>, limits: Limits) -> Router {
    assert!(
        !hq.is_empty(),
        "the server needs a connection to the HQ database"
    );
    let shared = Shared {
        hq: Arc::new(Pool::new(hq)),
        limits,
        buckets: Arc::new(Mutex::new(HashMap::new())),
    };
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/bundles", post(push_bundle))
        .route("/v1/package", get(package))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(shared)
}

/// Serves `hq` on `listener` until `shutdown` completes; requests under way are finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    hq: Vec<HqDb>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(hq, limits).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The server's TLS certificate chain and key.
#[derive(Clone)]
pub struct Tls {
    config: Arc<rustls::ServerConfig>,
}

/// Why a certificate and key cannot serve TLS.
#[derive(Debug, Clone, PartialEq)]
pub enum TlsProblem {
    /// No `CERTIFICATE` block in the certificate file.
    NoCertificate,
    /// No private key (PKCS #8, SEC1 or PKCS #1 PEM) in the key file.
    NoKey,
    /// rustls refused them (the key is not the certificate's, an unsupported key, …).
    Refused(String),
}

impl TlsProblem {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            TlsProblem::NoCertificate => lang.pick(
                "the certificate file holds no PEM certificate",
                "в файле сертификата нет сертификата PEM",
            ),
            TlsProblem::NoKey => lang.pick(
                "the key file holds no PEM private key",
                "в файле ключа нет закрытого ключа PEM",
            ),
            TlsProblem::Refused(detail) => lang.pick(
                format!("the certificate and key cannot serve TLS ({detail})"),
                format!("сертификат и ключ нельзя использовать для TLS ({detail})"),
            ),
        }
    }
}

impl Tls {
    /// From PEM: the server's certificate first, then the ones that chain it to its CA (the
    /// chain's CA's certificate, so that a store without it yet can check it against a pinned
    /// fingerprint), and its private key.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Tls, TlsProblem> {
        use rustls_pki_types::pem::PemObject as _;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain)
            .filter_map(Result::ok)
            .collect();
        if chain.is_empty() {
            return Err(TlsProblem::NoCertificate);
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| TlsProblem::NoKey)?;
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsProblem::Refused(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsProblem::Refused(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            config: Arc::new(config),
        })
    }
}

/// Serves `hq` over TLS on `listener` until `shutdown` completes; requests under way are
/// finished. A handshake not done within [`Limits::handshake_timeout`] is dropped, request
/// headers not read within [`Limits::request_timeout`] too; the body, time and rate limits
/// are the routes' own, as over plain HTTP.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    hq: Vec<HqDb>,
    limits: Limits,
    tls: Tls,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let app = router(hq, limits);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little, as axum::serve does.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let Ok(Ok(stream)) =
                tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await
            else {
                return;
            };
            let service = hyper::service::service_fn(
                move |mut request: axum::http::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request)
                },
            );
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.request_timeout);
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Serves `hq` on `addr` until Ctrl+C or SIGTERM, on a runtime of its own, over TLS when `tls`
/// is given; `ready` is told the address it listens on (the port the system chose, for `:0`)
/// before the first request.
pub fn run_blocking(
    addr: SocketAddr,
    hq: Vec<HqDb>,
    limits: Limits,
    tls: Option<Tls>,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        match tls {
            Some(tls) => serve_tls(listener, hq, limits, tls, stopped()).await,
            None => serve(listener, hq, limits, stopped()).await,
        }
    })
}

/// Completes on Ctrl+C, or on SIGTERM where there is one.
async fn stopped() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The language a client asks for (`Accept-Language`), Russian or English.
fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::En, |v| {
            if v.trim_start().to_ascii_lowercase().starts_with("ru") {
                Lang::Ru
            } else {
                Lang::En
            }
        })
}

/// A request header's text, percent-decoded (clients encode non-ASCII file names).
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(storecheck_core::percent::decode)
}

/// `{"error": {"message", "hint"}}` with a status.
fn error(status: StatusCode, message: String, hint: Option<String>) -> Response {
    (
        status,
        Json(serde_json::json!({"error": {"message": message, "hint": hint}})),
    )
        .into_response()
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"ok": true, "service": "storecheck-hq"}))
}

/// 413: the bundle is larger than the server takes.
fn too_large(lang: Lang, limits: &Limits) -> Response {
    let mb = limits.body_bytes >> 20;
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        lang.pick(
            format!("the bundle is larger than this server takes ({mb} MB)"),
            format!("пакет больше, чем принимает этот сервер ({mb} МБ)"),
        ),
        Some(lang.pick(
            "carry it on a stick and import it with `storecheck hq import`",
            "перенесите его на флешке и загрузите командой `storecheck hq import`",
        )),
    )
}

async fn push_bundle(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    let lang = lang_of(&headers);
    let device = header_text(&headers, "x-storecheck-device").unwrap_or_default();
    if let Some(wait) = s.limited(peer.ip(), &device) {
        let secs = wait.as_secs().max(1);
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            lang.pick(
                format!("too many requests from this device: wait {secs} s and send again"),
                format!("слишком много запросов с этого устройства: подождите {secs} с и отправьте снова"),
            ),
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    // A declared length over the limit is refused before any of the body is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > s.limits.body_bytes as u64) {
        return too_large(lang, &s.limits);
    }
    let body: Result<Bytes, BytesRejection> =
        <Bytes as axum::extract::FromRequest<Shared>>::from_request(request, &s).await;
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large(lang, &s.limits);
        }
        Err(rejection) => {
            return error(
                rejection.status(),
                lang.pick(
                    format!("the bundle did not arrive whole ({rejection})"),
                    format!("пакет поступил не целиком ({rejection})"),
                ),
                Some(lang.pick("send it again", "отправьте его снова")),
            );
        }
    };
    let name = header_text(&headers, "x-storecheck-file").unwrap_or_else(|| "bundle.zip".into());
    let done =
        s.hq.run(move |hq| hq.import_bytes(&name, &body, lang))
            .await;
    match done {
        Some(Ok(outcome)) if outcome.refused.is_empty() => {
            (StatusCode::OK, Json(outcome)).into_response()
        }
        Some(Ok(outcome)) => (StatusCode::UNPROCESSABLE_ENTITY, Json(outcome)).into_response(),
        Some(Err(e)) if e.is_unavailable() => {
            // The detail is for HQ's administrator; the store is told what it means.
            eprintln!("{}", e.text(Lang::En));
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                lang.pick(
                    "HQ cannot take bundles just now: its database does not answer",
                    "ЦО сейчас не может принять пакет: его база данных не отвечает",
                ),
                Some(lang.pick(
                    "the store sends it again later by itself",
                    "магазин сам отправит его позже",
                )),
            )
        }
        Some(Err(e)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            e.text(lang),
            Some(lang.pick(
                "HQ cannot take bundles just now; the store sends it again later",
                "ЦО сейчас не может принять пакет; магазин отправит его позже",
            )),
        ),
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            lang.pick(
                "the server failed on this bundle",
                "сервер не справился с этим пакетом",
            ),
            None,
        ),
    }
}

#[derive(Deserialize)]
struct After {
    after: Option<u64>,
}

async fn package(State(s): State<Shared>, headers: HeaderMap, Query(q): Query<After>) -> Response {
    /// What HQ has for a store that holds package `after`.
    enum Latest {
        None,
        UpToDate,
        Package(u64, Vec<u8>),
        Missing(u64),
    }
    let lang = lang_of(&headers);
    let found =
        s.hq.run(move |hq| -> storecheck_hq::Result<Latest> {
            let Some(sequence) = hq.latest_package()? else {
                return Ok(Latest::None);
            };
            if q.after.is_some_and(|after| sequence <= after) {
                return Ok(Latest::UpToDate);
            }
            Ok(match hq.package_bytes(sequence)? {
                Some(bytes) => Latest::Package(sequence, bytes),
                None => Latest::Missing(sequence),
            })
        })
        .await;
    let latest = match found {
        Some(Ok(latest)) => latest,
        Some(Err(e)) => return error(StatusCode::SERVICE_UNAVAILABLE, e.text(lang), None),
        None => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.pick("the server failed", "сбой сервера"),
                None,
            );
        }
    };
    match latest {
        Latest::None => error(
            StatusCode::NOT_FOUND,
            lang.pick("HQ has made no package yet", "ЦО ещё не создал пакет"),
            Some(lang.pick(
                "HQ makes one with `storecheck hq package`",
                "ЦО создаёт его командой `storecheck hq package`",
            )),
        ),
        Latest::UpToDate => StatusCode::NO_CONTENT.into_response(),
        Latest::Package(sequence, bytes) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            if let Ok(v) = HeaderValue::from_str(&sequence.to_string()) {
                h.insert("x-storecheck-sequence", v);
            }
            r
        }
        Latest::Missing(sequence) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} {}",
                lang.pick(
                    "HQ has lost the file of its package",
                    "у ЦО пропал файл пакета"
                ),
                storecheck_hq::files::package_name(sequence)
            ),
            Some(lang.pick(
                "HQ makes a new one with `storecheck hq package`",
                "ЦО создаёт новый командой `storecheck hq package`",
            )),
        ),
    }
}
