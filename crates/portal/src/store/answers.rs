//! Group commit for answers to share requests: the uploads that arrive while one transaction
//! commits are written together in the next, and each upload is answered only after the commit
//! that holds it. On a busy day most of an upload's time was its own commit (a flush of the
//! database's log) and, on SQLite, waiting its turn to write; one writer per process that takes
//! whatever is waiting makes one flush serve many phones, and nobody polls for the write lock.
//!
//! If a batch fails (nothing of it is then written), each of its answers is tried again in a
//! transaction of its own, so that one answer the database refuses fails alone; the others are
//! stored and acknowledged. An answer that fails is a 500 to its phone, which sends it again.

use std::sync::OnceLock;

use tokio::sync::{mpsc, oneshot};

use super::{audit, requests, throttle, Db};
use crate::domain::audit::Entry;

/// The most answers one transaction takes.
const BATCH: usize = 64;
/// Answers waiting for the writer; past this, an upload waits to be queued.
const QUEUE: usize = 1024;

/// One answer to write: the request, the sealed bytes as they came, and its receipt.
pub struct Answer {
    /// The request's id (hex).
    pub id: String,
    pub sealed: Vec<u8>,
    /// `upload` or `file`.
    pub via: &'static str,
    pub at: i64,
    /// The audit line written with it (its `at` and target already set).
    pub receipt: Entry,
    /// Throttle keys whose attempt is given back with it: the code was a real one.
    pub give_back: Vec<String>,
    /// Upload addresses logged before this time are forgotten in the same transaction.
    pub forget_addresses_before: Option<i64>,
}

type Reply = oneshot::Sender<Result<bool, sqlx::Error>>;

/// The process's writer of answers, started at its first answer.
pub struct Answers {
    db: Db,
    queue: OnceLock<mpsc::Sender<(Answer, Reply)>>,
}

impl Answers {
    pub fn new(db: Db) -> Answers {
        Answers {
            db,
            queue: OnceLock::new(),
        }
    }

    /// Writes `answer` if its request is still open: true when it was stored by this call (false:
    /// answered meanwhile, or expired; nothing written). Returns after the commit.
    pub async fn write(&self, answer: Answer) -> Result<bool, sqlx::Error> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(writer(self.db.clone(), receiver));
            sender
        });
        let (reply, answered) = oneshot::channel();
        queue
            .send((answer, reply))
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answered.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// Takes what is waiting (up to `BATCH`), writes it in one transaction, answers each; again.
async fn writer(db: Db, mut queue: mpsc::Receiver<(Answer, Reply)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let (answers, replies): (Vec<Answer>, Vec<Reply>) = batch.drain(..).unzip();
        match write_batch(&db, &answers).await {
            Ok(stored) => {
                for (reply, stored) in replies.into_iter().zip(stored) {
                    let _ = reply.send(Ok(stored));
                }
            }
            // One at a time, so that what the database refuses fails alone.
            Err(_) => {
                for (answer, reply) in answers.iter().zip(replies) {
                    let result = write_batch(&db, std::slice::from_ref(answer)).await;
                    let _ = reply.send(result.map(|stored| stored[0]));
                }
            }
        }
    }
}

/// Every answer in one transaction: for each, whether it was stored (false: its request was
/// answered meanwhile, or expired). `Err`: the transaction failed, and none was written.
async fn write_batch(db: &Db, answers: &[Answer]) -> Result<Vec<bool>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut stored = Vec::with_capacity(answers.len());
    for answer in answers {
        stored.push(write_one(&mut tx, answer).await?);
    }
    // Each bound is its upload's "now" less the window; the latest is still past for all.
    if let Some(before) = answers
        .iter()
        .filter_map(|a| a.forget_addresses_before)
        .max()
    {
        audit::forget_upload_addresses(&mut *tx, before).await?;
    }
    tx.commit().await?;
    Ok(stored)
}

async fn write_one(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    answer: &Answer,
) -> Result<bool, sqlx::Error> {
    if !requests::answer(&mut **tx, &answer.id, &answer.sealed, answer.via, answer.at).await? {
        return Ok(false);
    }
    audit::write(&mut **tx, &answer.receipt).await?;
    throttle::give_back(&mut **tx, &answer.give_back).await?;
    Ok(true)
}
