//! The result package: what a congress node sends to its superior committee once the congress has
//! closed, and what the superior's aggregator accepts.
//!
//! A package is one file. Its body is the JSON of [`Package`] (schema [`SCHEMA`]): the congress, every
//! assembly's base, every round's counts and results from the node's typed result record, the elected
//! with the composition facts the statistics need (no voter data, nothing that links a ballot to
//! anyone), the personnel plan and its departures, the head of the node's audit chain and a PDF summary
//! for people. After the body comes a fixed trailer ([`seal`]):
//!
//! ```text
//! <body: JSON, UTF-8>
//! -----BAUCU SIGNATURE-----
//! key: <ed25519 public key, 64 hex digits>
//! sha256: <SHA-256 of the body, 64 hex digits>
//! signature: <ed25519 signature of the body, 128 hex digits>
//! ```
//!
//! [`open`] checks, in this order, and answers the first problem as a typed [`Refusal`]: the size, the
//! framing (nothing may follow the trailer, every line exactly as above), the digest (a byte changed
//! in the body), the signature (made by the key named), the schema version, then the body itself,
//! parsed field by field with every enumerated value known. Whether the key is registered, and to
//! which unit, is the aggregator's question; this crate answers only what the file itself proves.
//!
//! No IO, no clock: the caller reads the file and supplies the time.

pub mod codes;
mod model;

pub use model::*;

use base64::Engine as _;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use sha2::{Digest as _, Sha256};

/// The schema of the package body this build writes and reads.
pub const SCHEMA: &str = "baucu.result-package/1";

/// A package file larger than this is refused before anything is parsed (the PDF summary of a
/// province congress is well under 1 MiB).
pub const MAX_PACKAGE_BYTES: usize = 8 * 1024 * 1024;

const MARKER: &str = "\n-----BAUCU SIGNATURE-----\n";

/// A node's signing key: an ed25519 key pair, kept by the node as its PKCS#8 document.
pub struct NodeKey {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeKey").field("fingerprint", &self.public().fingerprint()).finish()
    }
}

/// Why a key could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

impl NodeKey {
    /// A new random key and its PKCS#8 document (what the node stores).
    pub fn generate() -> Result<(NodeKey, Vec<u8>), KeyError> {
        let rng = ring::rand::SystemRandom::new();
        let doc =
            Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError("không tạo được khóa ký".into()))?;
        let bytes = doc.as_ref().to_vec();
        Ok((NodeKey::from_pkcs8(&bytes)?, bytes))
    }

    /// The key stored as a PKCS#8 document.
    pub fn from_pkcs8(doc: &[u8]) -> Result<NodeKey, KeyError> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(doc)
            .map(|pair| NodeKey { pair })
            .map_err(|e| KeyError(format!("khóa ký không đọc được ({e})")))
    }

    /// A key from a 32-byte seed: deterministic keys for `baucu simulate` and tests only.
    pub fn from_seed(seed: &[u8; 32]) -> Result<NodeKey, KeyError> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(|pair| NodeKey { pair })
            .map_err(|e| KeyError(format!("khóa ký không tạo được từ hạt giống ({e})")))
    }

    pub fn public(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(bytes)
    }
}

/// An ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// 64 hex digits (either case); anything else is `None`.
    pub fn from_hex(text: &str) -> Option<PublicKey> {
        let text = text.trim();
        if text.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(PublicKey(bytes))
    }

    /// What people compare and register: the first 16 bytes of the SHA-256 of the key, as eight
    /// groups of four uppercase hex digits (`3F2A-9C1B-…`). Printed on the congress's report to the
    /// superior and written in the superior's unit table.
    pub fn fingerprint(&self) -> Fingerprint {
        let digest = Sha256::digest(self.0);
        let hex = hex::encode_upper(&digest[..16]);
        let groups: Vec<&str> = (0..8).map(|i| &hex[i * 4..i * 4 + 4]).collect();
        Fingerprint(groups.join("-"))
    }
}

/// A key's fingerprint in its canonical form (see [`PublicKey::fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// A fingerprint as people type it: the 32 hex digits with or without dashes and spaces, in
    /// either case. Anything else is `None`.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let digits: String =
            text.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{a0}')).collect::<String>().to_uppercase();
        if digits.len() != 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let groups: Vec<&str> = (0..8).map(|i| &digits[i * 4..i * 4 + 4]).collect();
        Some(Fingerprint(groups.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SHA-256 of a package body, as 64 lowercase hex digits: a package's identity (two files with
/// the same digest are the same package).
pub fn digest_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Writes the package file: the body's JSON, then the trailer signed with `key`.
pub fn seal(package: &Package, key: &NodeKey) -> Vec<u8> {
    // Serialising plain structs of strings and integers cannot fail.
    let mut out = serde_json::to_vec(package).unwrap_or_default();
    let signature = key.pair.sign(&out);
    let digest = digest_hex(&out);
    out.extend_from_slice(MARKER.as_bytes());
    out.extend_from_slice(
        format!(
            "key: {}\nsha256: {}\nsignature: {}\n",
            key.public().to_hex(),
            digest,
            hex::encode(signature.as_ref())
        )
        .as_bytes(),
    );
    out
}

/// A package whose file proved itself: the body parsed, the key that signed it, the body's digest.
#[derive(Debug, Clone)]
pub struct Opened {
    pub package: Package,
    pub key: PublicKey,
    pub digest: String,
}

/// Why a package file is refused by [`open`]. [`Refusal::message`] is the Vietnamese sentence a user
/// reads; [`Refusal::code`] is stable for scripts and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooLarge {
        bytes: usize,
    },
    /// Not a package file at all, or its trailer is not exactly as written by [`seal`].
    Malformed(String),
    /// The body's digest differs from the one in the trailer: a byte was changed.
    Modified,
    /// The signature does not verify under the key named in the trailer.
    BadSignature,
    /// A schema version this build does not know.
    UnknownSchema(String),
    /// The body is signed but does not parse: the field and the problem.
    BadBody {
        field: String,
        problem: String,
    },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "too_large",
            Refusal::Malformed(_) => "malformed",
            Refusal::Modified => "modified",
            Refusal::BadSignature => "bad_signature",
            Refusal::UnknownSchema(_) => "unknown_schema",
            Refusal::BadBody { .. } => "malformed",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge { bytes } => format!(
                "Tệp quá lớn ({bytes} byte): một gói kết quả không vượt quá {} byte.",
                MAX_PACKAGE_BYTES
            ),
            Refusal::Malformed(why) => format!("Tệp không phải gói kết quả hợp lệ: {why}."),
            Refusal::Modified => {
                "Tệp đã bị sửa đổi: nội dung không khớp mã băm ghi trong tệp (một byte đã bị thay đổi)."
                    .into()
            }
            Refusal::BadSignature => "Chữ ký không hợp lệ: gói không được ký bằng khóa ghi trong tệp.".into(),
            Refusal::UnknownSchema(v) => format!(
                "Phiên bản định dạng gói không được hỗ trợ: \"{v}\" (chương trình này đọc \"{SCHEMA}\")."
            ),
            Refusal::BadBody { field, problem } => {
                format!("Nội dung gói không hợp lệ tại trường \"{field}\": {problem}.")
            }
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Refusal {}

fn hex_field<const N: usize>(line: &str, name: &str) -> Result<[u8; N], Refusal> {
    let value = line
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(": "))
        .ok_or_else(|| Refusal::Malformed(format!("thiếu dòng \"{name}\" ở phần chữ ký")))?;
    let mut bytes = [0u8; N];
    if value.len() != 2 * N || !value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Refusal::Malformed(format!("dòng \"{name}\" phải có đúng {} chữ số hex thường", 2 * N)));
    }
    hex::decode_to_slice(value, &mut bytes)
        .map_err(|_| Refusal::Malformed(format!("dòng \"{name}\" không đọc được")))?;
    Ok(bytes)
}

/// Reads and checks a package file (see the module documentation for the order of the checks).
pub fn open(file: &[u8]) -> Result<Opened, Refusal> {
    if file.len() > MAX_PACKAGE_BYTES {
        return Err(Refusal::TooLarge { bytes: file.len() });
    }
    let marker = MARKER.as_bytes();
    let at = file
        .windows(marker.len())
        .rposition(|w| w == marker)
        .ok_or_else(|| Refusal::Malformed("không có phần chữ ký".into()))?;
    let (body, rest) = file.split_at(at);
    let trailer = std::str::from_utf8(&rest[marker.len()..])
        .map_err(|_| Refusal::Malformed("phần chữ ký không phải văn bản".into()))?;
    let lines: Vec<&str> = trailer.split('\n').collect();
    if lines.len() != 4 || !lines[3].is_empty() {
        return Err(Refusal::Malformed("phần chữ ký phải có đúng ba dòng và kết thúc ở đó".into()));
    }
    let key = PublicKey(hex_field::<32>(lines[0], "key")?);
    let sha = hex_field::<32>(lines[1], "sha256")?;
    let signature = hex_field::<64>(lines[2], "signature")?;
    let digest = digest_hex(body);
    if hex::encode(sha) != digest {
        return Err(Refusal::Modified);
    }
    UnparsedPublicKey::new(&ED25519, key.0).verify(body, &signature).map_err(|_| Refusal::BadSignature)?;

    #[derive(serde::Deserialize)]
    struct Head {
        schema: String,
    }
    let head: Head = serde_json::from_slice(body)
        .map_err(|e| Refusal::BadBody {
            field: "schema".into(), problem: format!("không đọc được ({e})")
        })?;
    if head.schema != SCHEMA {
        return Err(Refusal::UnknownSchema(head.schema));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let package: Package = serde_path_to_error::deserialize(de)
        .map_err(|e| Refusal::BadBody { field: e.path().to_string(), problem: e.inner().to_string() })?;
    package.check().map_err(|(field, problem)| Refusal::BadBody { field, problem })?;
    Ok(Opened { package, key, digest })
}

/// The summary PDF carried in a package, decoded.
pub fn summary_pdf(package: &Package) -> Result<Vec<u8>, Refusal> {
    base64::engine::general_purpose::STANDARD.decode(&package.summary_pdf).map_err(|e| Refusal::BadBody {
        field: "summary_pdf".into(),
        problem: format!("không giải mã được ({e})"),
    })
}

/// Base64 of a PDF, for [`Package::summary_pdf`].
pub fn encode_pdf(pdf: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(pdf)
}

#[cfg(test)]
mod tests;
