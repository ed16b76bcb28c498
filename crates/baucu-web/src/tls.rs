//! The node's TLS identity. Passwords and session cookies must not cross the hall's LAN in clear
//! text, and no certificate authority vouches for a laptop on a congress LAN: the node makes its own
//! self-signed certificate the first time it serves (or takes one given with `--tls-cert/--tls-key`),
//! keeps it in the data folder so it stays the same all congress long, and prints its SHA-256
//! fingerprint. The board compares that fingerprint with the one each workstation's browser shows
//! before anyone signs in there.

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the node keeps the certificate it made, under its data folder.
pub const TLS_DIR: &str = "tls";
const CERT_FILE: &str = "chung-chi.pem";
const KEY_FILE: &str = "khoa-rieng.pem";

/// A certificate and key ready to serve, with the fingerprint people compare.
#[derive(Clone)]
pub struct TlsIdentity {
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the certificate (DER), as browsers show it: `AB:CD:…`.
    pub fingerprint: String,
    /// The certificate file, to copy to workstations that should trust it.
    pub cert_path: PathBuf,
    /// Whether this start made the certificate.
    pub created: bool,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fingerprint", &self.fingerprint)
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

/// The fingerprint of a certificate as browsers show it.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{byte:02X}");
    }
    out
}

/// Loads the certificate kept in `data/tls/`, making it first if there is none. `names` are the
/// host names and addresses the certificate is made for (the node's LAN addresses, `localhost`).
pub fn load_or_create(data: &Path, names: &[String]) -> Result<TlsIdentity, String> {
    let dir = data.join(TLS_DIR);
    let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
    if cert.exists() || key.exists() {
        return load(&cert, &key);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("không tạo được thư mục {}: {e}", dir.display()))?;
    let mut subject_names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into()];
    for name in names {
        if !subject_names.contains(name) {
            subject_names.push(name.clone());
        }
    }
    let made = rcgen::generate_simple_self_signed(subject_names)
        .map_err(|e| format!("không tạo được chứng chỉ TLS: {e}"))?;
    write_new(&key, made.signing_key.serialize_pem().as_bytes(), true)?;
    write_new(&cert, made.cert.pem().as_bytes(), false)?;
    let mut identity = load(&cert, &key)?;
    identity.created = true;
    Ok(identity)
}

/// Writes a file that must not exist yet, durably; the private key readable by its owner only.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| format!("không ghi được {}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("không ghi được {}: {e}", path.display()))
}

/// Loads a certificate chain and its private key from PEM files.
pub fn load(cert: &Path, key: &Path) -> Result<TlsIdentity, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("không đọc được chứng chỉ TLS {}: {e}", cert.display()))?;
    let Some(first) = chain.first() else {
        return Err(format!("tệp {} không có chứng chỉ nào", cert.display()));
    };
    let fingerprint = fingerprint(first.as_ref());
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("không đọc được khóa riêng TLS {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cấu hình TLS không dùng được: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("chứng chỉ và khóa riêng TLS không dùng được cùng nhau: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsIdentity { config: Arc::new(config), fingerprint, cert_path: cert.to_owned(), created: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_certificate_is_kept_and_loaded_again_with_the_same_fingerprint() {
        let dir = tempfile::tempdir().expect("temp");
        let made = load_or_create(dir.path(), &["192.168.1.10".into()]).expect("made");
        assert!(made.created);
        assert_eq!(made.fingerprint.len(), 32 * 3 - 1);
        let again = load_or_create(dir.path(), &["10.0.0.2".into()]).expect("loaded");
        assert!(!again.created);
        assert_eq!(made.fingerprint, again.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join(TLS_DIR).join(KEY_FILE)).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the private key is readable by its owner only");
        }
    }

    #[test]
    fn a_key_without_its_certificate_is_refused() {
        let dir = tempfile::tempdir().expect("temp");
        load_or_create(dir.path(), &[]).expect("made");
        std::fs::remove_file(dir.path().join(TLS_DIR).join(CERT_FILE)).expect("rm");
        let refused = load_or_create(dir.path(), &[]).expect_err("refused");
        assert!(refused.contains("chứng chỉ"), "{refused}");
    }
}
