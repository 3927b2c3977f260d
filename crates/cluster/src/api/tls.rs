//! A CA and a server certificate made at start (rcgen), served with rustls (ring), and
//! the kubeconfig that trusts them.

use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The generated certificates.
pub struct Certs {
    /// The CA certificate, PEM (what a kubeconfig's `certificate-authority-data` holds).
    pub ca_pem: String,
    /// The server's rustls configuration.
    pub server_config: Arc<rustls::ServerConfig>,
}

fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("certificate generation: {e}"))
}

/// A fresh CA and a server certificate for `ips` and `localhost`.
pub fn generate(ips: &[IpAddr]) -> io::Result<Certs> {
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.distinguished_name
        .push(DnType::CommonName, "hsvc-cluster stand-in CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(err)?;
    let mut p = CertificateParams::new(vec!["localhost".to_string(), "kubernetes".to_string()])
        .map_err(err)?;
    p.distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    for ip in ips {
        p.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = p.signed_by(&key, &issuer).map_err(err)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(cert.der().to_vec()),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(err)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Certs {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(config),
    })
}

/// What a kubeconfig for the stand-in says.
#[derive(Debug, Clone)]
pub struct KubeconfigSpec<'a> {
    /// `https://…` URL of the API.
    pub server: &'a str,
    /// PEM of the CA.
    pub ca_pem: &'a str,
    /// Bearer token.
    pub token: &'a str,
    /// Name of the cluster, user and context.
    pub name: &'a str,
    /// The context's namespace.
    pub namespace: &'a str,
}

/// The kubeconfig text (YAML) for `spec`.
pub fn kubeconfig(spec: &KubeconfigSpec<'_>) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(spec.ca_pem.as_bytes());
    let KubeconfigSpec {
        server,
        token,
        name,
        namespace,
        ..
    } = spec;
    format!(
        "apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: {name}\n  \
           cluster:\n    \
             server: {server}\n    \
             certificate-authority-data: {ca}\n\
         users:\n\
         - name: {name}\n  \
           user:\n    \
             token: {token}\n\
         contexts:\n\
         - name: {name}\n  \
           context:\n    \
             cluster: {name}\n    \
             user: {name}\n    \
             namespace: {namespace}\n\
         current-context: {name}\n\
         preferences: {{}}\n"
    )
}

/// Write `kubeconfig` into `dir` (created if missing) and return its path.
pub fn write_kubeconfig(dir: &Path, text: &str) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text)?;
    Ok(path)
}
