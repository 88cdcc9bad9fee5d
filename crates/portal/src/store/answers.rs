//! Group commit for answers to share requests: the uploads that arrive while one transaction
//! commits are written together in the next, and each upload is answered only after the commit
//! that holds it. On a busy day most of an upload's time was its own commit (a flush of the
//! database's log) and, on SQLite, waiting its turn to write; one writer per process that takes
//! whatever is waiting makes one flush serve many phones, and nobody polls for the write lock.
//!
//! If the database refuses a batch (nothing of it is then written), each of its answers is tried
//! again in a transaction of its own, so that one answer it refuses fails alone; the others are
//! stored and acknowledged. A batch that fails for any other reason (the database unreachable)
//! fails whole at once. An answer that fails is a 500 to its phone, which sends it again.
//!
//! The throttle's attempts are given back after the commit, in a transaction of their own: held
//! in the batch, their rows would be locked until it commits and could deadlock with a phone's
//! next attempt counted meanwhile.

use std::sync::Mutex;

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

/// The process's writer of answers, started at its first answer (and again if it stopped).
pub struct Answers {
    db: Db,
    queue: Mutex<Option<mpsc::Sender<(Answer, Reply)>>>,
}

impl Answers {
    pub fn new(db: Db) -> Answers {
        Answers {
            db,
            queue: Mutex::new(None),
        }
    }

    /// The writer's queue, with a writer behind it: a new one if there was none, or if the last
    /// one stopped (its runtime ended).
    fn queue(&self) -> mpsc::Sender<(Answer, Reply)> {
        let mut queue = self.queue.lock().expect("not poisoned");
        match &*queue {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::channel(QUEUE);
                tokio::spawn(writer(self.db.clone(), receiver));
                *queue = Some(sender.clone());
                sender
            }
        }
    }

    /// Writes `answer` if its request is still open: true when it was stored by this call (false:
    /// answered meanwhile, or expired; nothing written). Returns after the commit.
    pub async fn write(&self, answer: Answer) -> Result<bool, sqlx::Error> {
        let (reply, answered) = oneshot::channel();
        self.queue()
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
                // Given back before the phones hear: an address's count is never a moment behind
                // the uploads it was told were stored.
                give_back(&db, &answers, &stored).await;
                for (reply, stored) in replies.into_iter().zip(stored) {
                    let _ = reply.send(Ok(stored));
                }
            }
            // The database refused something: one at a time, so that it fails alone.
            Err(sqlx::Error::Database(_)) if answers.len() > 1 => {
                for (answer, reply) in answers.iter().zip(replies) {
                    let one = std::slice::from_ref(answer);
                    let result = write_batch(&db, one).await;
                    if let Ok(stored) = &result {
                        give_back(&db, one, stored).await;
                    }
                    let _ = reply.send(result.map(|stored| stored[0]));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(sqlx::Error::Protocol(message.clone())));
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
    Ok(true)
}

/// The attempts of the answers stored, given back. A failure here costs a phone an attempt of
/// its allowance (it is said on stderr), never its answer, which is stored.
async fn give_back(db: &Db, answers: &[Answer], stored: &[bool]) {
    let keys: Vec<String> = answers
        .iter()
        .zip(stored)
        .filter(|(_, stored)| **stored)
        .flat_map(|(answer, _)| answer.give_back.iter().cloned())
        .collect();
    if let Err(e) = throttle::give_back(db, &keys).await {
        eprintln!("portal: attempts not given back after storing answers: {e}");
    }
}
