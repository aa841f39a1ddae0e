//! Background jobs: the work a server process does beside answering
//! requests (delivering the outbox, retrying verifications, reminders,
//! no-shows, sweeping sign-in codes, retention, loading new data keys).
//!
//! Every job is registered the same way, [`Jobs::every`]: it runs at once,
//! then once per interval (or sooner when woken, for the outbox). A run that
//! fails is logged with its whole error chain; a run that panics is logged
//! and the job runs again at its next turn, so no job dies unseen. Each job
//! must be safe to run in several processes at once (they claim their rows
//! with conditional updates), because every server process runs them all.
//!
//! [`Jobs::shutdown`] stops them: a run in progress finishes first, up to a
//! grace period.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// The running jobs of one server process.
pub struct Jobs {
    running: JoinSet<()>,
    stop: watch::Sender<bool>,
}

impl Default for Jobs {
    fn default() -> Self {
        Self::new()
    }
}

impl Jobs {
    pub fn new() -> Self {
        Jobs {
            running: JoinSet::new(),
            stop: watch::channel(false).0,
        }
    }

    /// Runs `job` now, then every `interval`, until [`Jobs::shutdown`].
    pub fn every<F, Fut>(&mut self, name: &'static str, interval: Duration, job: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.spawn(name, interval, None, job);
    }

    /// Like [`Jobs::every`], and also whenever `wake` is notified (the
    /// outbox, woken by a message queued in this process).
    pub fn every_or_woken<F, Fut>(
        &mut self,
        name: &'static str,
        interval: Duration,
        wake: &'static Notify,
        job: F,
    ) where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.spawn(name, interval, Some(wake), job);
    }

    fn spawn<F, Fut>(
        &mut self,
        name: &'static str,
        interval: Duration,
        wake: Option<&'static Notify>,
        job: F,
    ) where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let stop = self.stop.subscribe();
        crate::observe::series::job_registered(name);
        self.running.spawn(supervise(
            name,
            interval.max(Duration::from_millis(1)),
            wake,
            Arc::new(job),
            stop,
        ));
    }

    /// Stops every job: none starts another run, a run in progress may
    /// finish within `grace`, and whatever is still running then is
    /// cancelled.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        let all_done = async { while self.running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all_done).await.is_err() {
            tracing::warn!(
                still_running = self.running.len(),
                "background jobs did not finish within the grace period; cancelled"
            );
            self.running.shutdown().await;
        }
    }
}

/// One job's life: wait for its turn, run it as a task of its own (so a
/// panic ends that run, not the job), report how it ended, and again.
async fn supervise<F, Fut>(
    name: &'static str,
    interval: Duration,
    wake: Option<&'static Notify>,
    job: Arc<F>,
    mut stop: watch::Receiver<bool>,
) where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let woken = async {
            match wake {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            _ = ticks.tick() => {}
            () = woken => {}
        }
        if *stop.borrow() {
            break;
        }
        let started = std::time::Instant::now();
        let run = tokio::spawn((job)());
        let ended = run.await;
        let failed = !matches!(ended, Ok(Ok(())));
        if !matches!(&ended, Err(error) if !error.is_panic()) {
            let finished_at = crate::clock::unix_now();
            crate::observe::series::job_run(name, started.elapsed(), failed, finished_at);
        }
        match ended {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(job = name, error = %format!("{error:#}"), "background job failed; it runs again at its next turn");
            }
            // The panic's own message went to the panic hook; it is not
            // repeated here, as it may quote data.
            Err(error) if error.is_panic() => {
                tracing::error!(
                    job = name,
                    "background job panicked; it runs again at its next turn"
                );
            }
            Err(_) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_job_that_panics_runs_again_at_its_next_turn() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        let counted = runs.clone();
        jobs.every("panics first", Duration::from_millis(5), move || {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if run == 0 {
                    panic!("the first run fails");
                }
                Ok(())
            }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 3 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(
            runs.load(Ordering::SeqCst) >= 3,
            "the job was not restarted"
        );
        assert_eq!(jobs.running.len(), 1, "the job itself is still registered");
        jobs.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn a_job_that_fails_runs_again_at_its_next_turn() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        let counted = runs.clone();
        jobs.every("fails", Duration::from_millis(5), move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { anyhow::bail!("the database is away") }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 3 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(runs.load(Ordering::SeqCst) >= 3);
        jobs.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn shutdown_lets_a_run_in_progress_finish() {
        let started = Arc::new(Notify::new());
        let finished = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        let (s, f) = (started.clone(), finished.clone());
        jobs.every("slow", Duration::from_secs(3600), move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                s.notify_one();
                tokio::time::sleep(Duration::from_millis(100)).await;
                f.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
        started.notified().await;
        jobs.shutdown(Duration::from_secs(5)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_woken_job_runs_before_its_interval() {
        static WAKE: Notify = Notify::const_new();
        let runs = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        let counted = runs.clone();
        jobs.every_or_woken("woken", Duration::from_secs(3600), &WAKE, move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 2 && tokio::time::Instant::now() < deadline {
            WAKE.notify_one();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(runs.load(Ordering::SeqCst) >= 2);
        jobs.shutdown(Duration::from_secs(1)).await;
    }
}
