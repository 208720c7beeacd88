//! The database as the generator writes to it. Chunks of rows go to a thread of their own, so
//! the next chunk is generated while this one is written: generating rows and inserting them
//! each keep a core busy, where one after the other left a core idle.

use crate::error::{Error, Result};
use crate::storage::{Conn, Db};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

/// A write to run after the ones handed over before it.
type Load = Box<dyn FnOnce(&mut Conn) -> Result<()> + Send + 'static>;

/// What the loading thread is asked to do, in order.
enum Message {
    /// Run this write.
    Load(Load),
    /// Answer once every write before has run: the first failure since the last answer, if any.
    Flush(Sender<Result<()>>),
}

/// Hands writes to a loading thread in order; reads and writes that need an answer wait for
/// the writes before them first, so the generator sees what it has written.
pub(super) struct Loader {
    db: Db,
    tx: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<()>>,
}

/// How many writes may wait: enough for a batch of every table of a generator's chunk, few
/// enough that the rows waiting stay a few hundred megabytes on the national set.
const WAITING: usize = 24;

impl Loader {
    /// Starts the loading thread.
    pub(super) fn new(db: &Db) -> Result<Loader> {
        let (tx, rx) = sync_channel(WAITING);
        let on = db.clone();
        let thread = std::thread::Builder::new()
            .name("demo-loader".into())
            .spawn(move || run(&on, rx))
            .map_err(|e| Error::internal(format!("cannot start the loading thread: {e}")))?;
        Ok(Loader { db: db.clone(), tx: Some(tx), thread: Some(thread) })
    }

    /// Hands a write over without waiting for it; a failure is reported by the next call that
    /// waits ([`Loader::flushed`], a read, a write with an answer).
    pub(super) fn load(&self, f: impl FnOnce(&mut Conn) -> Result<()> + Send + 'static) -> Result<()> {
        self.send(Message::Load(Box::new(f)))
    }

    /// Waits for every write handed over, and gives the database for direct use.
    pub(super) fn flushed(&self) -> Result<&Db> {
        let (tx, rx) = channel();
        self.send(Message::Flush(tx))?;
        rx.recv().map_err(|_| gone())??;
        Ok(&self.db)
    }

    /// A read, once the writes before it have run.
    pub(super) fn read_blocking<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.flushed()?.read_blocking(f)
    }

    /// A write with an answer, once the writes before it have run.
    pub(super) fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        self.flushed()?.write_blocking(f)
    }

    fn send(&self, m: Message) -> Result<()> {
        self.tx.as_ref().ok_or_else(gone)?.send(m).map_err(|_| gone())
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        // Closing the channel ends the thread once the writes before have run.
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The loading thread: runs the writes in order; after a failure, skips them until the next
/// flush reports it.
fn run(db: &Db, rx: Receiver<Message>) {
    let mut failed: Option<Error> = None;
    for m in rx {
        match m {
            Message::Load(f) => {
                if failed.is_none() {
                    failed = db.write_blocking(f).err();
                }
            }
            Message::Flush(reply) => {
                let _ = reply.send(failed.take().map_or(Ok(()), Err));
            }
        }
    }
}

fn gone() -> Error {
    Error::internal("the loading thread stopped")
}
