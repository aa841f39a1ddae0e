//! Sorting what went wrong with an email: lettre's error read into a
//! [`Failure`] (reply codes and kinds of failure only, never the server's
//! reply text, which may repeat an address), and [`classify`], which says
//! whether to try again and what to record.

use crate::messages::transport::TransportError;
use std::error::Error as _;

/// What went wrong with a send, as far as the outbox needs to know: nothing
/// the server wrote but its reply codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A negative reply: its code and enhanced status code (`5.1.1`), if any.
    Reply {
        code: u16,
        enhanced: Option<EnhancedStatus>,
    },
    /// No answer in time.
    Timeout,
    /// The server could not be reached, or the connection broke.
    Connection(std::io::ErrorKind),
    /// TLS could not be set up.
    Tls(TlsProblem),
    /// `starttls`, and the server does not offer STARTTLS.
    NoStartTls,
    /// Credentials are configured, and the server offers neither PLAIN nor LOGIN.
    NoAuthMechanism,
    /// The client would not send this message to this server (lettre's own
    /// checks: an address or text the server does not support).
    Unsendable,
    /// Anything else: an unreadable reply, for instance.
    Other,
}

/// An enhanced status code (RFC 3463), e.g. `5.1.1`: digits only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhancedStatus(pub u16, pub u16, pub u16);

impl std::fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl EnhancedStatus {
    /// The code a reply's text starts with, if it starts with one.
    pub fn at_start_of(reply: &str) -> Option<Self> {
        let token = reply.split_whitespace().next()?;
        let mut numbers = token.split('.').map(|n| {
            (!n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse::<u16>().ok())
                .flatten()
        });
        let (Some(Some(class)), Some(Some(subject)), Some(Some(detail)), None) = (
            numbers.next(),
            numbers.next(),
            numbers.next(),
            numbers.next(),
        ) else {
            return None;
        };
        matches!(class, 2 | 4 | 5).then_some(EnhancedStatus(class, subject, detail))
    }
}

/// Why TLS could not be set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsProblem {
    /// The certificate does not chain to a trusted root.
    Untrusted,
    /// The certificate is for another name than USAJILI_SMTP_HOST.
    WrongName,
    /// The certificate has expired or is not valid yet.
    Expired,
    /// Anything else (the server refused the handshake, no common cipher…).
    Other,
}

/// Reads lettre's error: the reply code, or the kind of failure.
pub(super) fn failure_of(error: &lettre::transport::smtp::Error) -> Failure {
    if let Some(code) = error.status() {
        let enhanced = error
            .source()
            .and_then(|reply| EnhancedStatus::at_start_of(&reply.to_string()));
        return Failure::Reply {
            code: code.into(),
            enhanced,
        };
    }
    if error.is_timeout() {
        return Failure::Timeout;
    }
    let io = std::iter::successors(error.source(), |e| (*e).source())
        .find_map(|e| e.downcast_ref::<std::io::Error>());
    if let Some(io) = io {
        // tokio-rustls hands rustls's errors over inside an io::Error.
        if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            return Failure::Tls(tls_problem(tls));
        }
        return Failure::Connection(io.kind());
    }
    if error.is_tls() {
        return Failure::Tls(TlsProblem::Other);
    }
    if error.is_client() {
        // lettre's own words (fixed texts), not the server's.
        let what = error.source().map(|e| e.to_string()).unwrap_or_default();
        return if what.contains("STARTTLS") {
            Failure::NoStartTls
        } else if what.contains("authentication mechanism") {
            Failure::NoAuthMechanism
        } else {
            Failure::Unsendable
        };
    }
    Failure::Other
}

fn tls_problem(error: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            TlsProblem::Untrusted
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => TlsProblem::WrongName,
        rustls::Error::InvalidCertificate(
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. },
        ) => TlsProblem::Expired,
        _ => TlsProblem::Other,
    }
}

/// Whether a failure is worth another try, and what to record. 4xx replies,
/// timeouts, connection and TLS failures: later. 5xx replies (535, refused
/// credentials, among them), and what the client will never send: never.
pub fn classify(failure: Failure) -> TransportError {
    use TransportError::{Permanent, Temporary};
    match failure {
        Failure::Reply { code, enhanced } => {
            let codes = match enhanced {
                Some(enhanced) => format!("{code} {enhanced}"),
                None => code.to_string(),
            };
            match code {
                535 => Permanent(format!(
                    "the SMTP server refused the credentials ({codes}): check USAJILI_SMTP_USERNAME and USAJILI_SMTP_PASSWORD"
                )),
                530 => Permanent(format!(
                    "the SMTP server requires signing in ({codes}): set USAJILI_SMTP_USERNAME and USAJILI_SMTP_PASSWORD"
                )),
                400..=499 => Temporary(format!("the SMTP server deferred the message ({codes})")),
                500..=599 => Permanent(format!("the SMTP server refused the message ({codes})")),
                _ => Temporary(format!("the SMTP server answered an unexpected {codes}")),
            }
        }
        Failure::Timeout => Temporary("the SMTP server did not answer in time".into()),
        Failure::Connection(kind) => {
            Temporary(format!("the connection to the SMTP server failed ({kind})"))
        }
        Failure::Tls(problem) => Temporary(format!(
            "TLS with the SMTP server failed: {}",
            match problem {
                TlsProblem::Untrusted =>
                    "its certificate is not trusted (for a private CA, set USAJILI_SMTP_CA_FILE)",
                TlsProblem::WrongName => "its certificate is not valid for USAJILI_SMTP_HOST",
                TlsProblem::Expired => "its certificate has expired or is not valid yet",
                TlsProblem::Other => "the handshake did not complete",
            }
        )),
        Failure::NoStartTls => Temporary(
            "the SMTP server does not offer STARTTLS, which USAJILI_SMTP_TLS=starttls requires"
                .into(),
        ),
        Failure::NoAuthMechanism => Permanent(
            "the SMTP server offers no sign-in this client supports (AUTH PLAIN or LOGIN)".into(),
        ),
        Failure::Unsendable => Permanent(
            "the SMTP server cannot take this message (it lacks SMTPUTF8 or 8BITMIME)".into(),
        ),
        Failure::Other => Temporary("the SMTP conversation failed".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_retried_or_given_up_by_their_code_and_never_quoted() {
        let reply = |code, enhanced| classify(Failure::Reply { code, enhanced });
        let error = reply(451, Some(EnhancedStatus(4, 3, 0)));
        assert!(matches!(error, TransportError::Temporary(_)));
        assert_eq!(
            error.to_string(),
            "the SMTP server deferred the message (451 4.3.0)"
        );
        let error = reply(550, Some(EnhancedStatus(5, 1, 1)));
        assert!(matches!(error, TransportError::Permanent(_)));
        assert_eq!(
            error.to_string(),
            "the SMTP server refused the message (550 5.1.1)"
        );
        let error = reply(535, None);
        assert!(matches!(error, TransportError::Permanent(_)));
        assert!(error.to_string().starts_with(
            "the SMTP server refused the credentials (535): check USAJILI_SMTP_USERNAME"
        ));
        assert!(matches!(reply(530, None), TransportError::Permanent(_)));
        assert!(matches!(reply(421, None), TransportError::Temporary(_)));
        assert!(matches!(reply(454, None), TransportError::Temporary(_)));
        assert!(matches!(reply(554, None), TransportError::Permanent(_)));
    }

    #[test]
    fn connection_tls_and_timeouts_are_retried_with_a_clear_reason() {
        use std::io::ErrorKind;
        for failure in [
            Failure::Timeout,
            Failure::Connection(ErrorKind::ConnectionRefused),
            Failure::Connection(ErrorKind::ConnectionReset),
            Failure::Tls(TlsProblem::Untrusted),
            Failure::Tls(TlsProblem::Other),
            Failure::NoStartTls,
            Failure::Other,
        ] {
            assert!(
                matches!(classify(failure), TransportError::Temporary(_)),
                "{failure:?}"
            );
        }
        assert_eq!(
            classify(Failure::Connection(ErrorKind::ConnectionRefused)).to_string(),
            "the connection to the SMTP server failed (connection refused)"
        );
        let untrusted = classify(Failure::Tls(TlsProblem::Untrusted)).to_string();
        assert!(
            untrusted.contains("not trusted") && untrusted.contains("USAJILI_SMTP_CA_FILE"),
            "{untrusted}"
        );
        for failure in [Failure::NoAuthMechanism, Failure::Unsendable] {
            assert!(
                matches!(classify(failure), TransportError::Permanent(_)),
                "{failure:?}"
            );
        }
        assert_eq!(
            tls_problem(&rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            )),
            TlsProblem::Untrusted
        );
        assert_eq!(
            tls_problem(&rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
            )),
            TlsProblem::WrongName
        );
        assert_eq!(tls_problem(&rustls::Error::DecryptError), TlsProblem::Other);
    }

    #[test]
    fn only_an_enhanced_status_code_is_read_from_a_reply() {
        assert_eq!(
            EnhancedStatus::at_start_of("5.1.1 <amina@example.com>: unknown"),
            Some(EnhancedStatus(5, 1, 1))
        );
        assert_eq!(
            EnhancedStatus::at_start_of("4.7.0 try later"),
            Some(EnhancedStatus(4, 7, 0))
        );
        assert_eq!(
            EnhancedStatus::at_start_of("5.7.8"),
            Some(EnhancedStatus(5, 7, 8))
        );
        for reply in [
            "<amina@example.com> unknown",
            "",
            "5.1 x",
            "5.1.1.1 x",
            "3.1.1 x",
            "5.a.1 x",
            "5.1.1234 x",
            "1.2.3.4",
        ] {
            assert_eq!(EnhancedStatus::at_start_of(reply), None, "{reply:?}");
        }
    }
}
