//! Opening a connection: the `postgres` crate's settings from a [`ConnInfo`], and TLS through
//! rustls as `sslmode` asks (verify-full by default for TCP: chain and host name checked).

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::ServerError;
use super::conninfo::{ConnInfo, Host, SslMode};

/// A connection to the server, or one clear error naming it (never its password), within
/// the connect timeout for each address plus a second. The `postgres` crate's own timeout
/// bounds only the socket's connect: a server that takes the connection and never answers
/// (a stopped process behind a proxy, a wrong port that accepts) held `sync` for minutes
/// and `server check` for ever. The attempt runs on a thread of its own, which is left to
/// end with the process if it never does.
pub fn connect(info: &ConnInfo) -> Result<postgres::Client, ServerError> {
    let addresses = u32::try_from(info.hosts.len().max(1)).unwrap_or(u32::MAX);
    let deadline = info.connect_timeout.saturating_mul(addresses) + std::time::Duration::from_secs(1);
    let (give, take) = std::sync::mpsc::sync_channel(1);
    let attempt = info.clone();
    std::thread::Builder::new()
        .name("connect".into())
        .spawn(move || {
            let _ = give.send(connect_now(&attempt));
        })
        .map_err(|e| ServerError::Unreachable { server: info.to_string(), why: e.to_string() })?;
    take.recv_timeout(deadline).unwrap_or_else(|_| {
        Err(ServerError::Unreachable {
            server: info.to_string(),
            why: format!("no answer within {} s", deadline.as_secs()),
        })
    })
}

/// [`connect`] without its deadline.
fn connect_now(info: &ConnInfo) -> Result<postgres::Client, ServerError> {
    let mut config = postgres::Config::new();
    for host in &info.hosts {
        match host {
            Host::Socket(dir) => config.host_path(dir),
            Host::Tcp(name) => config.host(name),
        };
    }
    for port in &info.ports {
        config.port(*port);
    }
    config.user(&info.user).dbname(&info.dbname).application_name("recover");
    config.connect_timeout(info.connect_timeout);
    if let Some(p) = info.password() {
        config.password(p);
    }
    let tcp = info.hosts.iter().any(|h| matches!(h, Host::Tcp(_)));
    let mode = if tcp { info.sslmode } else { SslMode::Disable };
    config.ssl_mode(match mode {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Prefer => postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => postgres::config::SslMode::Require,
    });
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(info, mode)?);
    config.connect(tls).map_err(|e| {
        let (server, why) = (info.to_string(), why(&e));
        if unreachable(&e) {
            ServerError::Unreachable { server, why }
        } else {
            ServerError::Connect { server, why }
        }
    })
}

/// Whether the server could not be reached at all (down, a dropped network, no answer), as
/// opposed to reached and refusing (a certificate, a password): a desk reads its own spool
/// in the first case, and is told to fix its settings in the second.
fn unreachable(e: &postgres::Error) -> bool {
    use std::io::ErrorKind as K;
    if let Some(db) = e.as_db_error() {
        return *db.code() == postgres::error::SqlState::CANNOT_CONNECT_NOW;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(<dyn std::error::Error + Send + Sync>::is::<rustls::Error>) {
                return false;
            }
            return matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::ConnectionReset
                    | K::ConnectionAborted
                    | K::NotConnected
                    | K::TimedOut
                    | K::HostUnreachable
                    | K::NetworkUnreachable
                    | K::AddrNotAvailable
                    | K::NotFound
                    | K::UnexpectedEof
            ) || io.to_string().contains("lookup address");
        }
        source = s.source();
    }
    e.to_string().contains("timeout") || e.to_string().contains("timed out")
}

/// The TLS settings for `mode`. As libpq, `require` with a root certificate named checks the
/// chain as `verify-ca` does.
fn tls_config(info: &ConnInfo, mode: SslMode) -> Result<rustls::ClientConfig, ServerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    let check = match mode {
        SslMode::Disable | SslMode::Prefer => None,
        SslMode::Require if info.root_cert.is_none() => None,
        SslMode::Require | SslMode::VerifyCa => Some(false),
        SslMode::VerifyFull => Some(true),
    };
    let Some(check_name) = check else {
        let verifier = Arc::new(Unchecked(provider));
        return Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth());
    };
    let roots = Arc::new(roots(info)?);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = if check_name { webpki } else { Arc::new(ChainOnly(webpki)) };
    Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth())
}

/// The certificates a server's chain must end in: `sslrootcert` / `PGSSLROOTCERT`, else the
/// system's store.
fn roots(info: &ConnInfo) -> Result<RootCertStore, ServerError> {
    let mut store = RootCertStore::empty();
    if let Some(file) = &info.root_cert {
        let shown = crate::render::safe::one_line(&file.display().to_string());
        let certs = CertificateDer::pem_file_iter(file)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| ServerError::Tls(format!("cannot read the root certificate {shown}: {e}")))?;
        let (added, _) = store.add_parsable_certificates(certs);
        if added == 0 {
            return Err(ServerError::Tls(format!("the root certificate file {shown} holds no certificate")));
        }
    } else {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
        if store.is_empty() {
            return Err(ServerError::Tls(
                "the system has no CA certificates to check the server's with (install ca-certificates, or set PGSSLROOTCERT)"
                    .into(),
            ));
        }
    }
    Ok(store)
}

/// The error and its causes on one line (the `postgres` crate puts the useful part, a
/// refused connection or a bad certificate, in the source).
pub(super) fn why(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_owned();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    if text.contains("password missing") {
        text =
            "the server asks for a password and none was given (PGPASSWORD, ~/.pgpass or PGPASSFILE)".into();
    } else if text.contains("UnknownIssuer") {
        text.push_str(" (the server's certificate is not signed by a CA this machine trusts)");
    }
    crate::render::safe::one_line(&text)
}

/// `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require` and `prefer` without a root certificate: encrypted, unchecked, as libpq (the
/// user chose it over the default `verify-full`). Handshake signatures are still checked.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
