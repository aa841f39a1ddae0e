//! `usajili staff …`: making a staff account, and what is done to one
//! afterwards (disable, enable, reset the authenticator, set a temporary
//! password, change centre or role). Each is recorded in the audit chain
//! in the same transaction as the change, by `cli`.

use super::{open, read_password};
use crate::audit::{Actor, Audit, Event};
use crate::config::Config;
use crate::staff::Role;
use crate::staff::accounts::{ActionError, StaffAccounts};
use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(super) enum StaffCommand {
    /// Create a staff account. The password is read from the terminal
    /// (asked twice, not echoed) or, when stdin is not a terminal, from its
    /// first line: never from the command line, where others could see it.
    Create {
        #[arg(long)]
        email: String,
        /// officer, supervisor or administrator.
        #[arg(long)]
        role: String,
        /// The centre's id (officers and supervisors).
        #[arg(long)]
        centre: Option<String>,
    },
    /// Disable an account: no sign-in, and its sessions end at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Forget the account's authenticator: the member sets one up again at
    /// their next sign-in (and is told by email).
    ResetTotp {
        #[arg(long)]
        email: String,
    },
    /// Set a new password, read as `create` reads it. It is temporary: the
    /// member changes it at their next sign-in (and is told by email).
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// Move the member to another centre and/or change their role.
    Update {
        #[arg(long)]
        email: String,
        /// officer, supervisor or administrator.
        #[arg(long)]
        role: Option<String>,
        /// The centre's id (officers and supervisors).
        #[arg(long)]
        centre: Option<String>,
    },
}

pub(super) async fn run(command: StaffCommand, config: &Config) -> anyhow::Result<()> {
    let (email, role, centre) = match &command {
        StaffCommand::Create {
            email,
            role,
            centre,
        } => return create(config, email, role, centre.as_deref()).await,
        StaffCommand::Update {
            email,
            role,
            centre,
        } => (email, role.as_deref(), centre.as_deref()),
        StaffCommand::Disable { email }
        | StaffCommand::Enable { email }
        | StaffCommand::ResetTotp { email }
        | StaffCommand::SetPassword { email } => (email, None, None),
    };
    let role = role
        .map(|role| {
            Role::from_code(role).context("--role must be officer, supervisor or administrator")
        })
        .transpose()?;
    let password = match command {
        StaffCommand::SetPassword { .. } => Some(read_password()?),
        _ => None,
    };
    if let Some(password) = &password {
        crate::staff::accounts::check_password(password)
            .map_err(|problem| anyhow::anyhow!("{problem}"))?;
    }
    let (pool, cipher, _) = open(config).await.context("opening the database")?;
    let semaphore = tokio::sync::Semaphore::new(1);
    let accounts = accounts(config, &pool, &cipher, &semaphore);
    let id = accounts
        .id_by_email(email)
        .await?
        .ok_or(ActionError::NotFound)?;
    let now = crate::clock::unix_now();
    let mut tx = crate::db::begin(&pool).await?;
    let (action, detail, done) = match command {
        StaffCommand::Disable { .. } => {
            accounts.disable(&mut tx, &id, now).await?;
            ("staff.disable", None, "disabled; its sessions have ended")
        }
        StaffCommand::Enable { .. } => {
            accounts.enable(&mut tx, &id).await?;
            ("staff.enable", None, "enabled")
        }
        StaffCommand::ResetTotp { .. } => {
            accounts.reset_totp(&mut tx, &id, now).await?;
            (
                "staff.reset_totp",
                None,
                "authenticator reset; it is set up again at the next sign-in",
            )
        }
        StaffCommand::SetPassword { .. } => {
            let password = password.unwrap_or_default();
            accounts.set_password(&mut tx, &id, &password, now).await?;
            (
                "staff.set_password",
                None,
                "temporary password set; it is changed at the next sign-in",
            )
        }
        StaffCommand::Update { .. } => {
            let (role, centre) = accounts.update(&mut tx, &id, role, centre).await?;
            (
                "staff.update",
                Some(crate::staff::accounts::update_detail(
                    role,
                    centre.as_deref(),
                )),
                "updated",
            )
        }
        StaffCommand::Create { .. } => unreachable!("created above"),
    };
    let mut event = Event::new(Actor::System("cli"), action).on("staff", &id);
    if let Some(detail) = &detail {
        event = event.detail(detail.clone());
    }
    Audit {
        db: &pool,
        cipher: &cipher,
    }
    .record_in(&mut tx, &event, now)
    .await
    .context("recording the action in the audit log")?;
    tx.commit().await.context("committing the action")?;
    println!("account {id} {done}");
    Ok(())
}

fn accounts<'a>(
    config: &Config,
    pool: &'a sqlx::AnyPool,
    cipher: &'a crate::crypto::FieldCipher,
    hashing: &'a tokio::sync::Semaphore,
) -> StaffAccounts<'a> {
    StaffAccounts {
        db: pool,
        cipher,
        security: config.staff,
        officer_totp_optional: false,
        hashing,
    }
}

async fn create(
    config: &Config,
    email: &str,
    role: &str,
    centre: Option<&str>,
) -> anyhow::Result<()> {
    let role =
        Role::from_code(role).context("--role must be officer, supervisor or administrator")?;
    let password = read_password()?;
    crate::staff::accounts::check_password(&password)
        .map_err(|problem| anyhow::anyhow!("{problem}"))?;
    let (pool, cipher, _) = open(config).await.context("opening the database")?;
    let semaphore = tokio::sync::Semaphore::new(1);
    let now = crate::clock::unix_now();
    // The account and its audit event: one transaction.
    let mut tx = crate::db::begin(&pool).await?;
    let id = accounts(config, &pool, &cipher, &semaphore)
        .create(&mut tx, email, role, centre, &password, now)
        .await
        .context("creating the account")?;
    Audit {
        db: &pool,
        cipher: &cipher,
    }
    .record_in(
        &mut tx,
        &Event::new(Actor::System("cli"), "staff.create")
            .on("staff", &id)
            .detail(role.code())
            .at_centre(centre),
        now,
    )
    .await
    .context("recording the creation in the audit log")?;
    tx.commit().await.context("committing the new account")?;
    println!(
        "created {} account {id}; it sets up its authenticator app at first sign-in",
        role.code()
    );
    Ok(())
}
