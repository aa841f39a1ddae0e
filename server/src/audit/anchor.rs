//! Anchors: a head of the audit chain (its `seq` and hash) that operators
//! keep outside the database (`usajili audit head`, mailed daily by cron).
//!
//! A chain whose newest entries were deleted is still a valid chain, only
//! shorter; so is one whose newest entries were deleted and replaced by
//! forged ones made with the chain key. Checking the chain against an
//! anchor recorded earlier (`usajili audit verify --expect SEQ:HASH`)
//! catches both: the entry at the anchor's `seq` must still exist and
//! still have the anchor's hash.

use super::Audit;

/// A recorded head: `SEQ:HASH` as `usajili audit head` prints it, or the
/// hash alone (then found wherever it is in the chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: Option<i64>,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (seq, hash) = match text.split_once(':') {
            Some((seq, hash)) => (
                Some(
                    seq.parse::<i64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or("the part before ':' must be an entry number (seq)")?,
                ),
                hash,
            ),
            None => (None, text),
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(
                "expected SEQ:HASH as `usajili audit head` prints it (a 64-character hex hash)"
                    .into(),
            );
        }
        Ok(Anchor {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "{seq}:{}", self.hash),
            None => write!(f, "{}", self.hash),
        }
    }
}

/// How the chain fails an anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The chain ends before the anchor's entry: entries were cut off.
    Shorter { length: i64, anchored: i64 },
    /// The entry at the anchor's position has another hash: the chain from
    /// there on was replaced.
    Differs { seq: i64 },
    /// No entry has the anchor's hash (a hash given without its `seq`).
    Absent,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Shorter { length, anchored } => write!(
                f,
                "the audit log is shorter than it was: it has {length} entries, and the recorded head was entry {anchored}"
            ),
            Mismatch::Differs { seq } => write!(
                f,
                "the audit log was rewritten: entry {seq} no longer has the recorded hash"
            ),
            Mismatch::Absent => write!(
                f,
                "the recorded head is not in the audit log: its newest entries were cut off or replaced"
            ),
        }
    }
}

impl Audit<'_> {
    /// The newest entry, as an anchor to record (`None`: an empty log).
    pub async fn head(&self) -> anyhow::Result<Option<Anchor>> {
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(self.db)
                .await?;
        Ok(head.map(|(seq, hash)| Anchor {
            seq: Some(seq),
            hash,
        }))
    }

    /// Whether the chain still holds `anchor` where it was recorded. (Check
    /// the chain itself with [`Audit::verify`] first: this only looks at
    /// the anchored entry.)
    pub async fn holds(&self, anchor: &Anchor) -> anyhow::Result<Result<(), Mismatch>> {
        let Some(seq) = anchor.seq else {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT seq FROM audit_log WHERE hash = $1")
                    .bind(&anchor.hash)
                    .fetch_optional(self.db)
                    .await?;
            return Ok(found.map(drop).ok_or(Mismatch::Absent));
        };
        let hash: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(self.db)
            .await?;
        Ok(match hash {
            Some(hash) if hash == anchor.hash => Ok(()),
            Some(_) => Err(Mismatch::Differs { seq }),
            None => {
                let length: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
                    .fetch_one(self.db)
                    .await?;
                Err(Mismatch::Shorter {
                    length,
                    anchored: seq,
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_reads_as_head_prints_it_or_as_a_bare_hash() {
        let hash = "ab".repeat(32);
        let anchor: Anchor = format!("12:{hash}").parse().unwrap();
        assert_eq!(anchor.seq, Some(12));
        assert_eq!(anchor.to_string(), format!("12:{hash}"));
        let bare: Anchor = hash.to_uppercase().parse().unwrap();
        assert_eq!((bare.seq, bare.hash), (None, hash));
        for wrong in ["", "12:", "x:abab", "0:ab", &"ab".repeat(31)] {
            assert!(wrong.parse::<Anchor>().is_err(), "{wrong}");
        }
    }
}
