//! The second factor: TOTP (RFC 6238, SHA-1, six digits, 30 seconds) with
//! one step of drift either side, new secrets, base32 and the
//! `otpauth://` address authenticator apps read.

use rand::RngCore as _;
use subtle::ConstantTimeEq as _;
use totp_rs::TOTP;

/// A new random secret (160 bits), base32, as an enrolment offers it.
pub fn new_secret() -> String {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    base32_encode(&secret)
}

fn totp(secret: &[u8]) -> anyhow::Result<TOTP> {
    TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, secret.to_vec())
        .map_err(|e| anyhow::anyhow!("totp: {e}"))
}

/// The step (`time / 30`) whose code `code` is, looking one step either
/// side of `now` for clock drift.
pub(super) fn matching_step(secret: &[u8], code: &str, now: i64) -> anyhow::Result<Option<i64>> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    for step in [now / 30 - 1, now / 30, now / 30 + 1] {
        let expected = totp.generate((step * 30).max(0) as u64);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// The code for a base32 secret at `now` (tests and the demo use it).
pub fn code_at(secret_base32: &str, now: i64) -> anyhow::Result<String> {
    let secret = base32_decode(secret_base32).ok_or_else(|| anyhow::anyhow!("not base32"))?;
    Ok(totp(&secret)?.generate(now.max(0) as u64))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(email: &str, secret_base32: &str) -> String {
    let label: String = format!("Usajili:{email}")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~:@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer=Usajili&algorithm=SHA1&digits=6&period=30"
    )
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(BASE32[((bits >> (35 - i * 5)) & 31) as usize] as char);
        }
    }
    out
}

pub(super) fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())? as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn codes_follow_rfc_6238_and_allow_one_step_of_drift() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082 (8 digits); 6 digits: 287082.
        let secret = b"12345678901234567890";
        assert_eq!(totp(secret).unwrap().generate(59), "287082");
        assert_eq!(matching_step(secret, "287082", 59).unwrap(), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 30).unwrap(), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 90).unwrap(), None);
        assert_eq!(matching_step(secret, "28708", 59).unwrap(), None);
    }
}
