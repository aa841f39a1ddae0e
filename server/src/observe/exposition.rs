//! Gauges read at scrape time, written in the Prometheus text format
//! (version 0.0.4) after what the recorder renders.
//!
//! They are not kept in the process's recorder: each server reports what
//! its own database holds at the moment it is asked, and a value never
//! outlives the rows it was counted from.

use std::fmt::Write as _;

/// A scrape's gauges, family by family.
#[derive(Default)]
pub struct Gauges {
    text: String,
}

impl Gauges {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a family: its `# HELP` and `# TYPE` lines. Every sample of
    /// the family follows with [`Gauges::sample`] before the next family.
    pub fn family(&mut self, name: &str, help: &str) -> &mut Self {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
        self
    }

    /// One sample of the current family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (label, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", escape_value(value));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
        self
    }

    /// A family of one sample without labels.
    pub fn single(&mut self, name: &str, help: &str, value: f64) -> &mut Self {
        self.family(name, help).sample(name, &[], value)
    }

    pub fn into_text(self) -> String {
        self.text
    }
}

fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_are_written_in_the_text_format() {
        let mut gauges = Gauges::new();
        gauges
            .family("usajili_x", "Some \\ thing.")
            .sample(
                "usajili_x",
                &[("state", "pending"), ("channel", "a\"b")],
                3.0,
            )
            .sample("usajili_x", &[("state", "failed"), ("channel", "sms")], 0.5);
        gauges.single("usajili_y", "Another.", 7.0);
        assert_eq!(
            gauges.into_text(),
            "# HELP usajili_x Some \\\\ thing.\n# TYPE usajili_x gauge\n\
             usajili_x{state=\"pending\",channel=\"a\\\"b\"} 3\n\
             usajili_x{state=\"failed\",channel=\"sms\"} 0.5\n\
             # HELP usajili_y Another.\n# TYPE usajili_y gauge\nusajili_y 7\n"
        );
    }
}
