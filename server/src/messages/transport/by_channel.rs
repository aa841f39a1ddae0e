//! [`ByChannel`]: one transport for SMS and another for email, each
//! message going by its recipient's channel.

use super::{Outgoing, Recipient, Sent, Transport, TransportError};
use std::sync::Arc;

/// Sends each message by its recipient's channel: a phone number through
/// `sms`, an email address through `email`.
pub struct ByChannel {
    sms: Arc<dyn Transport>,
    email: Arc<dyn Transport>,
    name: &'static str,
}

impl ByChannel {
    pub fn new(sms: Arc<dyn Transport>, email: Arc<dyn Transport>) -> Self {
        let name = match (sms.name(), email.name()) {
            ("sms", "email") => "sms+email",
            ("sms", _) => "sms+log",
            (_, "email") => "log+email",
            _ => "by-channel",
        };
        ByChannel { sms, email, name }
    }
}

#[async_trait::async_trait]
impl Transport for ByChannel {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<Sent, TransportError> {
        match message.to {
            Recipient::Phone(_) => self.sms.send(message).await,
            Recipient::Email(_) => self.email.send(message).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Locale;

    /// Says which transport got the message.
    struct Named(&'static str);

    #[async_trait::async_trait]
    impl Transport for Named {
        fn name(&self) -> &'static str {
            self.0
        }
        async fn send(&self, _message: &Outgoing<'_>) -> Result<Sent, TransportError> {
            Ok(Sent {
                provider_id: Some(self.0.to_string()),
            })
        }
    }

    #[tokio::test]
    async fn each_message_goes_by_its_recipients_channel() {
        let both = ByChannel::new(Arc::new(Named("sms")), Arc::new(Named("email")));
        assert_eq!(both.name(), "sms+email");
        for (to, expected) in [
            (Recipient::Phone("+254712345678".into()), "sms"),
            (Recipient::Email("amina@example.com".into()), "email"),
        ] {
            let sent = both
                .send(&Outgoing {
                    id: "x",
                    kind: "card_ready",
                    to: &to,
                    locale: Locale::sw,
                    text: "t",
                })
                .await
                .unwrap();
            assert_eq!(sent.provider_id.as_deref(), Some(expected));
        }
        assert_eq!(
            ByChannel::new(Arc::new(Named("sms")), Arc::new(Named("log"))).name(),
            "sms+log"
        );
        assert_eq!(
            ByChannel::new(Arc::new(Named("log")), Arc::new(Named("email"))).name(),
            "log+email"
        );
    }
}
