//! `usajili ussd simulate`: a handset in the terminal. It posts each step
//! to the USSD callback exactly as Africa's Talking does (form-encoded
//! `sessionId`, `serviceCode`, `phoneNumber`, `networkCode`, `text`: all
//! typed so far joined by `*`), shows each screen in a box 30 characters
//! wide as a handset would, and reads the keys typed; `--script "1*2*…"`
//! types those keys one screen at a time without a terminal.

use crate::config::Config;
use anyhow::Context as _;
use std::io::{BufRead as _, Write as _};

/// The box's width, borders included.
pub const WIDTH: usize = 30;

#[derive(clap::Subcommand, Debug)]
pub enum UssdCommand {
    /// A handset in the terminal, talking to a running server's callback.
    Simulate {
        /// The number dialling, as the network gives it (`+254712345678`).
        #[arg(long)]
        phone: String,
        /// The server's address.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// Keys to type, one per screen, separated by `*`; without it, keys
        /// are read from the terminal.
        #[arg(long)]
        script: Option<String>,
    },
}

/// A screen's text (after `CON `/`END `) in a box [`WIDTH`] wide, words
/// wrapped, long words cut.
pub fn boxed(text: &str) -> String {
    let inner = WIDTH - 4;
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word: String = word.to_string();
            while word.chars().count() > inner {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(inner).collect();
                word = word.chars().skip(inner).collect();
                lines.push(head);
            }
            let wanted =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if wanted > inner && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    let rule = format!("+{}+", "-".repeat(WIDTH - 2));
    let mut out = vec![rule.clone()];
    for line in lines {
        let pad = inner - line.chars().count();
        out.push(format!("| {line}{} |", " ".repeat(pad)));
    }
    out.push(rule);
    out.join("\n")
}

pub async fn run(command: UssdCommand, config: &Config) -> anyhow::Result<()> {
    let UssdCommand::Simulate { phone, url, script } = command;
    let token = config
        .messages
        .sms
        .usable_callback_token()
        .context("USAJILI_AT_CALLBACK_TOKEN (at least 24 characters) is the callback's token")?
        .to_string();
    let callback = format!("{}/ussd/africastalking/{token}", url.trim_end_matches('/'));
    let session = format!("SIM{}", crate::crypto::random_id());
    let client = reqwest::Client::new();
    let mut script = script.map(|s| {
        s.split('*')
            .map(str::to_string)
            .collect::<Vec<_>>()
            .into_iter()
    });
    let mut typed: Vec<String> = Vec::new();
    let stdin = std::io::stdin();
    loop {
        let form = serde_urlencoded::to_string([
            ("sessionId", session.as_str()),
            ("serviceCode", config.ussd.code.as_str()),
            ("phoneNumber", phone.as_str()),
            ("networkCode", "63902"),
            ("text", &typed.join("*")),
        ])?;
        let response = client
            .post(&callback)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .context("posting a step to the callback")?;
        let status = response.status();
        let body = response.text().await.context("reading the screen")?;
        if !status.is_success() {
            anyhow::bail!("the callback answered {status}");
        }
        let (end, screen) = match body.split_at_checked(4) {
            Some(("END ", rest)) => (true, rest),
            Some(("CON ", rest)) => (false, rest),
            _ => anyhow::bail!("the callback's answer starts with neither CON nor END"),
        };
        println!("{}", boxed(screen));
        if end {
            return Ok(());
        }
        let key = match script.as_mut() {
            Some(keys) => match keys.next() {
                Some(key) => {
                    println!("> {key}");
                    key
                }
                None => return Ok(()),
            },
            None => {
                print!("> ");
                std::io::stdout().flush()?;
                let mut line = String::new();
                if stdin.lock().read_line(&mut line)? == 0 {
                    return Ok(());
                }
                line.trim().to_string()
            }
        };
        typed.push(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_is_boxed_thirty_wide_with_its_words_wrapped() {
        let text = boxed("Usajili\n1 My applications\n2 Book, change or cancel an appointment");
        for line in text.lines() {
            assert_eq!(line.chars().count(), WIDTH, "{line:?}");
        }
        assert_eq!(
            text,
            "+----------------------------+\n\
             | Usajili                    |\n\
             | 1 My applications          |\n\
             | 2 Book, change or cancel   |\n\
             | an appointment             |\n\
             +----------------------------+"
        );
        let long = boxed(&"x".repeat(60));
        assert_eq!(long.lines().count(), 5);
    }
}
