//! `usajili registry import`: loads the registry's CSV exports into the
//! local replica. Streams the file (a parser thread feeds batches to the
//! database), upserts so that a second import of the same file changes
//! nothing, and reports bad rows by line number without stopping. Reports
//! name the field at fault, never its value: the files hold personal data.

use super::{LifeStatus, Sex};
use app::dates::CivilDate;
use app::identifiers::{BirthCertificateNumber, CountyCode, NationalIdNumber};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::io::Read;
use tokio::sync::mpsc;

pub const BIRTHS_HEADER: &[&str] = &[
    "birth_cert_no",
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "county_code",
    "mother_name",
    "mother_id_no",
    "father_name",
    "father_id_no",
    "status",
];
pub const PERSONS_HEADER: &[&str] = &[
    "id_no",
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "birth_cert_no",
    "status",
];

/// Rows per INSERT. Measured: SQLite's cost per row grows with the size of
/// a multi-row statement, so 100 rows import five times faster than 1000.
const BATCH_ROWS: usize = 100;
/// Batches per transaction: one commit per 10,000 rows.
const BATCHES_PER_TRANSACTION: usize = 100;
/// Bad rows listed one by one; past this only their number is kept.
const MAX_LISTED_REJECTIONS: usize = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub upserted: u64,
    pub rejected: u64,
    /// The first rejected rows, by line number.
    pub rejections: Vec<RejectedRow>,
}

#[derive(Clone, Copy, Debug)]
pub enum Table {
    Births,
    Persons,
}

impl Table {
    fn header(self) -> &'static [&'static str] {
        match self {
            Table::Births => BIRTHS_HEADER,
            Table::Persons => PERSONS_HEADER,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Table::Births => "registry_births",
            Table::Persons => "registry_persons",
        }
    }
}

enum Message {
    Batch(Vec<Vec<Option<String>>>),
    Rejected(RejectedRow),
    Fatal(String),
}

/// Imports one CSV file into the replica table for `table`.
pub async fn import(
    db: &AnyPool,
    table: Table,
    input: impl Read + Send + 'static,
) -> anyhow::Result<ImportReport> {
    let (tx, mut rx) = mpsc::channel::<Message>(4);
    let parser = std::thread::spawn(move || parse(table, input, tx));
    let mut report = ImportReport::default();
    let sql = upsert_sql(table, BATCH_ROWS);
    let mut transaction = crate::db::begin(db).await?;
    let mut batches_in_transaction = 0;
    while let Some(message) = rx.recv().await {
        match message {
            Message::Batch(rows) => {
                let rows = dedupe_by_key(rows);
                let statement = if rows.len() == BATCH_ROWS {
                    sql.clone()
                } else {
                    upsert_sql(table, rows.len())
                };
                let mut query = sqlx::query(&statement);
                for row in rows.iter().flatten() {
                    query = query.bind(row.clone());
                }
                query.execute(&mut *transaction).await?;
                report.upserted += rows.len() as u64;
                batches_in_transaction += 1;
                if batches_in_transaction == BATCHES_PER_TRANSACTION {
                    transaction.commit().await?;
                    transaction = crate::db::begin(db).await?;
                    batches_in_transaction = 0;
                }
            }
            Message::Rejected(row) => {
                report.rejected += 1;
                if report.rejections.len() < MAX_LISTED_REJECTIONS {
                    report.rejections.push(row);
                }
            }
            Message::Fatal(reason) => anyhow::bail!(reason),
        }
    }
    transaction.commit().await?;
    parser
        .join()
        .map_err(|_| anyhow::anyhow!("the CSV parser stopped unexpectedly"))?;
    Ok(report)
}

/// A key seen twice in one batch: the later row wins, as it would across batches.
fn dedupe_by_key(rows: Vec<Vec<Option<String>>>) -> Vec<Vec<Option<String>>> {
    let mut position: HashMap<Option<String>, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<Vec<Option<String>>> = Vec::with_capacity(rows.len());
    for row in rows {
        match position.get(&row[0]) {
            Some(&i) => out[i] = row,
            None => {
                position.insert(row[0].clone(), out.len());
                out.push(row);
            }
        }
    }
    out
}

fn upsert_sql(table: Table, rows: usize) -> String {
    let columns = table.header();
    let width = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let updates: Vec<String> = columns[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
        table.name(),
        columns.join(", "),
        values.join(", "),
        columns[0],
        updates.join(", ")
    )
}

fn parse(table: Table, input: impl Read, tx: mpsc::Sender<Message>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    // Births may leave out the last column (`status`, for a death
    // registered against the birth): older exports do.
    let header_ok = reader
        .headers()
        .map(|h| {
            let full = h.iter().map(str::trim).eq(table.header().iter().copied());
            let without_status = matches!(table, Table::Births)
                && h.iter()
                    .map(str::trim)
                    .eq(table.header()[..table.header().len() - 1].iter().copied());
            full || without_status
        })
        .unwrap_or(false);
    if !header_ok {
        let _ = tx.blocking_send(Message::Fatal(format!(
            "the first line must be the header: {}",
            table.header().join(",")
        )));
        return;
    }
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => match validate(table, &record) {
                Ok(row) => {
                    batch.push(row);
                    if batch.len() == BATCH_ROWS
                        && tx
                            .blocking_send(Message::Batch(std::mem::take(&mut batch)))
                            .is_err()
                    {
                        return;
                    }
                }
                Err(reason) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let _ = tx.blocking_send(Message::Rejected(RejectedRow { line, reason }));
                }
            },
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                let reason = match error.kind() {
                    csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8",
                    _ => "the line is not valid CSV",
                };
                let _ = tx.blocking_send(Message::Rejected(RejectedRow {
                    line,
                    reason: reason.to_string(),
                }));
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Message::Batch(batch));
    }
}

/// Checks one row and returns its values in column order (empty optional
/// fields become NULL). The reason names the column, never the value.
fn validate(table: Table, record: &csv::StringRecord) -> Result<Vec<Option<String>>, String> {
    let width = table.header().len();
    let short_birth = matches!(table, Table::Births) && record.len() == width - 1;
    if record.len() != width && !short_birth {
        return Err(format!("expected {width} fields, found {}", record.len()));
    }
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    let required = |i: usize| -> Result<String, String> {
        let value = field(i);
        if value.is_empty() {
            Err(format!("{} is empty", table.header()[i]))
        } else {
            Ok(value.to_string())
        }
    };
    let optional =
        |i: usize| -> Option<String> { Some(field(i).to_string()).filter(|v| !v.is_empty()) };
    let bad = |i: usize| format!("{} is not valid", table.header()[i]);
    let sex = |i: usize| {
        Sex::read(field(i))
            .map(|s| s.code().to_string())
            .ok_or_else(|| bad(i))
    };
    let date = |i: usize| {
        field(i)
            .parse::<CivilDate>()
            .map(|d| d.to_string())
            .map_err(|()| bad(i))
    };
    let id_no = |i: usize| -> Result<Option<String>, String> {
        optional(i)
            .map(|v| {
                NationalIdNumber::parse(&v)
                    .map(|id| id.as_ref().to_string())
                    .map_err(|_| bad(i))
            })
            .transpose()
    };
    let birth_cert = |i: usize| -> Result<Option<String>, String> {
        optional(i)
            .map(|v| {
                BirthCertificateNumber::parse(&v)
                    .map(|n| n.as_ref().to_string())
                    .map_err(|_| bad(i))
            })
            .transpose()
    };
    match table {
        Table::Births => Ok(vec![
            Some(birth_cert(0)?.ok_or_else(|| format!("{} is empty", table.header()[0]))?),
            Some(required(1)?),
            Some(required(2)?),
            Some(sex(3)?),
            Some(date(4)?),
            Some(
                CountyCode::parse(field(5))
                    .map(|c| c.as_ref().to_string())
                    .map_err(|_| bad(5))?,
            ),
            optional(6),
            id_no(7)?,
            optional(8),
            id_no(9)?,
            Some(match optional(10) {
                None => LifeStatus::Alive.code().to_string(),
                Some(status) => LifeStatus::read(&status)
                    .map(|s| s.code().to_string())
                    .ok_or_else(|| bad(10))?,
            }),
        ]),
        Table::Persons => Ok(vec![
            Some(id_no(0)?.ok_or_else(|| format!("{} is empty", table.header()[0]))?),
            Some(required(1)?),
            Some(required(2)?),
            Some(sex(3)?),
            Some(date(4)?),
            birth_cert(5)?,
            Some(
                LifeStatus::read(field(6))
                    .map(|s| s.code().to_string())
                    .ok_or_else(|| bad(6))?,
            ),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_numbers_its_parameters_row_by_row() {
        let sql = upsert_sql(Table::Persons, 2);
        assert!(
            sql.contains("($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)"),
            "{sql}"
        );
        assert!(
            sql.contains("ON CONFLICT (id_no) DO UPDATE SET surname = excluded.surname"),
            "{sql}"
        );
    }

    #[test]
    fn a_key_repeated_in_a_batch_keeps_the_later_row() {
        let row = |k: &str, v: &str| vec![Some(k.to_string()), Some(v.to_string())];
        let rows = dedupe_by_key(vec![row("1", "a"), row("2", "b"), row("1", "c")]);
        assert_eq!(rows, vec![row("1", "c"), row("2", "b")]);
    }

    #[test]
    fn rejection_reasons_name_the_field_and_never_its_value() {
        let record = csv::StringRecord::from(vec![
            "12345678",
            "Otieno",
            "Achieng",
            "X",
            "1990-01-01",
            "",
            "alive",
        ]);
        let reason = validate(Table::Persons, &record).unwrap_err();
        assert_eq!(reason, "sex is not valid");
        let record = csv::StringRecord::from(vec![
            "12345678",
            "Otieno",
            "Achieng",
            "F",
            "1990-02-30",
            "",
            "alive",
        ]);
        let reason = validate(Table::Persons, &record).unwrap_err();
        assert_eq!(reason, "date_of_birth is not valid");
        assert!(!reason.contains("1990"));
    }
}
