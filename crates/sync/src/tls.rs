//! How a store reaches HQ's server: HTTPS trusted by the chain's CA alone, or plain HTTP on
//! this computer only.
//!
//! - [`agent`]: the HTTP client for an address. `https://` trusts one root, the chain's CA
//!   certificate from the installed HQ package (no system or bundled roots), and refuses a
//!   server certificate the CA's revocation list in that package names; with no package yet,
//!   only a `--pin` of the CA's fingerprint lets a first pull through (the server presents the
//!   CA's certificate after its own, and the CA whose SHA-256 is the pin becomes the root).
//!   `http://` is allowed to a loopback address only ([`plain_http_allowed`]).
//! - [`refused`]: a failed request as the store's error: a certificate the chain's CA did not
//!   issue (or for other names, expired, revoked) is [`ServerProblem::NotChainServer`], never
//!   a TLS library's sentence.
//!
//! TLS is rustls on ring, plugged into ureq as a connector after its TCP one (ureq's own TLS
//! cannot be given a revocation list or a verifier of ours).

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use storecheck_core::error::{CertificateProblem, ServerProblem};
use storecheck_core::{Db, Error, Result};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, TcpConnector,
    Transport, TransportAdapter,
};
use x509_cert::der::Decode;

/// The host of an `http://` or `https://` address, without brackets or port.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

/// Whether an address is this computer's.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `http://` only to this computer: anything else would carry audits in the clear. Errors:
/// [`ServerProblem::PlainHttp`].
pub fn plain_http_allowed(url: &str) -> Result<()> {
    if url.starts_with("http://") && !is_loopback(host_of(url)) {
        return Err(Error::HqServer {
            url: url.to_string(),
            problem: ServerProblem::PlainHttp,
        });
    }
    Ok(())
}

fn config() -> ureq::config::Config {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client for HQ's server at `url` (checked by [`crate::push::server_url`]): plain HTTP on
/// loopback, else TLS trusting the chain's CA installed here, or for a first pull the CA whose
/// fingerprint is `pin`. Nothing is sent by this call.
///
/// Errors: [`ServerProblem::PlainHttp`]; [`ServerProblem::NoPackage`] for `https://` with no
/// package installed and no pin.
pub fn agent(db: &Db, url: &str, pin: Option<&str>) -> Result<ureq::Agent> {
    plain_http_allowed(url)?;
    if url.starts_with("http://") {
        return Ok(config().into());
    }
    let anchor = match db.hq_trust()? {
        Some((ca_der, crl_der)) => Anchor::installed(&ca_der, &crl_der, url)?,
        None => match pin {
            Some(pin) => Anchor::Pin(pin.to_string()),
            None => {
                return Err(Error::HqServer {
                    url: url.to_string(),
                    problem: ServerProblem::NoPackage,
                });
            }
        },
    };
    let provider = provider();
    let tls = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| untrusted(url, CertificateProblem::Other(e.to_string())))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ChainVerifier { anchor, provider }))
        .with_no_client_auth();
    let connector = TcpConnector::default().chain(TlsConnector {
        config: Arc::new(tls),
    });
    Ok(ureq::Agent::with_parts(
        config(),
        connector,
        DefaultResolver::default(),
    ))
}

fn untrusted(url: &str, why: CertificateProblem) -> Error {
    Error::HqServer {
        url: url.to_string(),
        problem: ServerProblem::NotChainServer { why },
    }
}

/// A failed request to `url` as the store's error: a server certificate that is not the
/// chain's says so; anything else is [`Error::Network`].
pub fn refused(url: &str, e: ureq::Error) -> Error {
    if let Some(why) = certificate_problem(&e) {
        return untrusted(url, why);
    }
    Error::Network {
        url: url.to_string(),
        detail: network_detail(&e),
    }
}

/// Why a request failed, for [`Error::Network`]: a connection's failure by its kind ("io:
/// connection refused"), not by the operating system's text, which is in the language of the
/// process's locale (the app's GTK sets it: "В соединении отказано"); anything else as the
/// library says it.
pub fn network_detail(e: &ureq::Error) -> String {
    use std::io::ErrorKind as K;
    match e {
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::ConnectionReset
                    | K::ConnectionAborted
                    | K::BrokenPipe
                    | K::TimedOut
                    | K::NetworkUnreachable
                    | K::HostUnreachable
                    | K::NotConnected
            ) =>
        {
            format!("io: {}", io.kind())
        }
        other => other.to_string(),
    }
}

fn certificate_problem(e: &ureq::Error) -> Option<CertificateProblem> {
    use rustls::CertificateError as C;
    let ureq::Error::Io(io) = e else {
        return None;
    };
    let rustls::Error::InvalidCertificate(c) = io.get_ref()?.downcast_ref::<rustls::Error>()?
    else {
        return None;
    };
    Some(match c {
        C::UnknownIssuer | C::BadSignature | C::UnhandledCriticalExtension | C::InvalidPurpose => {
            CertificateProblem::OtherIssuer
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => CertificateProblem::OtherName,
        C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. } => {
            CertificateProblem::Expired
        }
        C::Revoked => CertificateProblem::Revoked,
        other => CertificateProblem::Other(format!("{other:?}")),
    })
}

/// What a server certificate must chain to.
enum Anchor {
    /// The chain's CA from the installed package, and the serial numbers its revocation list
    /// names.
    Installed {
        verifier: Arc<WebPkiServerVerifier>,
        revoked: Vec<Vec<u8>>,
    },
    /// No package yet: the CA the server presents whose SHA-256 is this fingerprint, as a
    /// person read it from HQ.
    Pin(String),
}

impl Anchor {
    fn installed(ca_der: &[u8], crl_der: &[u8], url: &str) -> Result<Anchor> {
        let other = |e: &dyn fmt::Display| untrusted(url, CertificateProblem::Other(e.to_string()));
        let verifier = verifier_for(ca_der).map_err(|e| other(&e))?;
        let revoked = x509_cert::Certificate::from_der(ca_der)
            .ok()
            .and_then(|ca| storecheck_report::ca::read_crl(crl_der, &ca))
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.serial)
            .collect();
        Ok(Anchor::Installed { verifier, revoked })
    }
}

fn verifier_for(ca_der: &[u8]) -> std::result::Result<Arc<WebPkiServerVerifier>, rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(ca_der.to_vec()))?;
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))
}

struct ChainVerifier {
    anchor: Anchor,
    provider: Arc<CryptoProvider>,
}

impl fmt::Debug for ChainVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainVerifier")
    }
}

impl ServerCertVerifier for ChainVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match &self.anchor {
            Anchor::Installed { verifier, revoked } => {
                let verified = verifier.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                )?;
                // The CA's own list, as the package brought it (its format is the one stores
                // already read for auditors' certificates).
                let serial = x509_cert::Certificate::from_der(end_entity)
                    .map(|c| c.tbs_certificate.serial_number.as_bytes().to_vec())
                    .map_err(|_| {
                        rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
                    })?;
                if revoked.contains(&serial) {
                    return Err(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::Revoked,
                    ));
                }
                Ok(verified)
            }
            Anchor::Pin(pin) => {
                let ca = intermediates
                    .iter()
                    .find(|c| {
                        storecheck_report::ca::same_fingerprint(
                            pin,
                            &storecheck_report::ca::fingerprint(c),
                        )
                    })
                    .ok_or(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::UnknownIssuer,
                    ))?;
                verifier_for(ca)?.verify_server_cert(
                    end_entity,
                    &[],
                    server_name,
                    ocsp_response,
                    now,
                )
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Wraps the TCP connection of an `https://` request in TLS with our verifier.
struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsConnector")
    }
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| ureq::Error::BadUri(format!("{host} is not a server name")))?;
        let conn = ClientConnection::new(self.config.clone(), name).map_err(|e| {
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        let mut stream = StreamOwned { conn, sock };
        // The handshake now, so that an untrusted server is refused before anything is sent.
        stream.conn.complete_io(&mut stream.sock)?;
        Ok(Some(Either::B(TlsTransport {
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            stream,
        })))
    }
}

pub struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storecheck_core::Lang;

    #[test]
    fn a_refused_connection_is_said_in_the_readers_words_whatever_the_systems_language() {
        // Found in the app's screenshot: GTK sets the process's locale, so the system's own
        // text for "connection refused" came in Russian and was shown as it was.
        let e = ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "В соединении отказано (os error 111)",
        ));
        assert_eq!(network_detail(&e), "io: connection refused");
        let err = refused("http://127.0.0.1:8750", e);
        for (lang, said) in [
            (
                Lang::Ru,
                "в соединении отказано: по этому адресу сервер не запущен",
            ),
            (
                Lang::En,
                "the connection was refused: no server is running at that address",
            ),
        ] {
            assert!(err.message(lang).contains(said), "{}", err.message(lang));
        }
        let timeout = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "x"));
        assert!(
            refused("http://h", timeout)
                .message(Lang::En)
                .contains("no answer in time")
        );
    }

    #[test]
    fn plain_http_is_for_this_computer_only() {
        for ok in [
            "http://127.0.0.1:8750",
            "http://[::1]:8750",
            "http://localhost:8750/v1",
            "https://10.0.0.5",
        ] {
            assert!(plain_http_allowed(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.255.255.1:1",
            "http://hq.example",
            "http://[2001:db8::1]:80",
            "http://127.0.0.1.example",
        ] {
            assert!(
                matches!(
                    plain_http_allowed(refused),
                    Err(Error::HqServer {
                        problem: ServerProblem::PlainHttp,
                        ..
                    })
                ),
                "{refused}"
            );
        }
    }
}
