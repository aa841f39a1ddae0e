//! The `log` transport, for development and demos: each message as one
//! line in a file or on the standard error, where a developer can read the
//! sign-in code. Production refuses it.

use super::{Outgoing, Sent, Transport, TransportError, one_line};
use std::path::PathBuf;
use std::sync::Mutex;
use zeroize::Zeroizing;

/// Where the `log` transport writes, from configuration (flattened into
/// the server's configuration).
#[derive(clap::Args, Clone, Debug)]
pub struct LogSettings {
    /// Where the `log` transport writes messages: a file path, or `-` for
    /// the server's standard error. Kept apart from the server's log lines,
    /// which never carry personal data.
    #[arg(
        id = "message_log",
        long = "message-log",
        env = "USAJILI_MESSAGE_LOG",
        default_value = "-",
        global = true
    )]
    pub target: String,
}

/// The development transport: writes each message as one line, for a
/// developer or a demo to read the code from, e.g.
///
/// `[usajili message] id=… channel=sms to=+254712345678 kind=sign_in_code text=Your Usajili sign-in code is 123456. …`
///
/// to a file (appended to and flushed, created readable by its owner only)
/// or, for `-`, to the process's standard error. Never used in production.
pub struct LogTransport {
    sink: Sink,
    /// One line at a time.
    lock: Mutex<()>,
}

enum Sink {
    Stderr,
    File(PathBuf),
}

impl LogTransport {
    /// `target` is a file path, or `-` for the standard error.
    pub fn new(target: &str) -> Self {
        let sink = if target.trim() == "-" {
            Sink::Stderr
        } else {
            Sink::File(PathBuf::from(target))
        };
        LogTransport {
            sink,
            lock: Mutex::new(()),
        }
    }

    /// The line written for `message` (without its newline).
    pub fn line(message: &Outgoing<'_>) -> String {
        format!(
            "[usajili message] id={} channel={} to={} kind={} text={}",
            one_line(message.id),
            message.to.channel().code(),
            one_line(message.to.address()),
            one_line(message.kind),
            one_line(message.text),
        )
    }

    fn write(&self, line: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        let _one_at_a_time = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &self.sink {
            Sink::Stderr => {
                let mut stderr = std::io::stderr().lock();
                writeln!(stderr, "{line}")?;
                stderr.flush()
            }
            Sink::File(path) => {
                let mut options = std::fs::OpenOptions::new();
                options.create(true).append(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                // One write per line, so that lines from several processes do not interleave.
                file.write_all(format!("{line}\n").as_bytes())?;
                file.flush()
            }
        }
    }
}

#[async_trait::async_trait]
impl Transport for LogTransport {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        let line = Zeroizing::new(Self::line(message));
        self.write(&line).map_err(|error| {
            TransportError::Temporary(format!("could not write the message log: {}", error.kind()))
        })?;
        Ok(Sent::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::transport::Recipient;
    use app::i18n::Locale;

    #[test]
    fn a_log_line_is_one_line_with_the_messages_id_first_and_the_kind_before_the_text() {
        let to = Recipient::Phone("+254712345678".into());
        let line = LogTransport::line(&Outgoing {
            id: "abc",
            kind: "sign_in_code",
            to: &to,
            locale: Locale::en,
            text: "code 123456\nsecond line",
        });
        assert_eq!(
            line,
            "[usajili message] id=abc channel=sms to=+254712345678 kind=sign_in_code text=code 123456 second line"
        );
    }

    #[tokio::test]
    async fn the_log_transport_appends_to_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages.log");
        let transport = LogTransport::new(&path.display().to_string());
        let to = Recipient::Email("amina@example.com".into());
        for text in ["first", "second"] {
            transport
                .send(&Outgoing {
                    id: "x",
                    kind: "sign_in_code",
                    to: &to,
                    locale: Locale::en,
                    text,
                })
                .await
                .unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.lines().count(), 2, "{written}");
        assert!(
            written
                .lines()
                .next()
                .unwrap()
                .ends_with("id=x channel=email to=amina@example.com kind=sign_in_code text=first")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
