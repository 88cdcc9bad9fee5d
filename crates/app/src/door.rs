//! Venue mode in the app: turning it on (the venue's own poster binds the device, and a PIN is set
//! then), leaving it (that PIN, with the app lock's waits after wrong tries), and the rule that a
//! device in venue mode keeps to its door: the citizen's diary, check-in and sharing refuse with
//! `venue_mode`, in the commands, not only in the UI.
//!
//! The PIN is an Argon2id hash kept in the binding's own row, written and deleted with it, so that
//! a door never exists without its PIN, whatever runs at the same time or crashes; its wrong tries
//! are counted in the diary's settings, apart from the app lock's.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use diary::{Diary, DoorBinding};
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::lock::{blocking, hash_pin, valid_pin, Lock, DOOR_PIN};

/// What the door's screens need to know on start.
#[derive(Debug, Serialize)]
pub struct DoorStatus {
    /// The venue the device is bound to: venue mode is on.
    pub binding: Option<DoorBinding>,
    /// Seconds before the next PIN to leave venue mode may be tried.
    pub wait_seconds: i64,
    /// How many days the guestbook keeps entries, and the choices.
    pub retention_days: u32,
    pub retention_choices: Vec<u32>,
}

/// Venue mode of one running app over its diary.
pub struct Door {
    on: AtomicBool,
    pin: Lock,
}

async fn bound(diary: Option<&Diary>) -> bool {
    match diary {
        Some(diary) => matches!(diary.door_binding().await, Ok(Some(_))),
        None => false,
    }
}

impl Door {
    /// Venue mode as `diary` says. No diary (it did not open): off.
    pub async fn load(diary: Option<&Diary>) -> Door {
        Door {
            on: AtomicBool::new(bound(diary).await),
            pin: Lock::load_with(diary, &DOOR_PIN).await,
        }
    }

    /// The diary was replaced (deleting all data, which venue mode refuses): as the new one says.
    pub async fn reload(&self, diary: Option<&Diary>) {
        self.on.store(bound(diary).await, Ordering::SeqCst);
        self.pin.reload(diary).await;
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::SeqCst)
    }

    /// What the citizen's own part of the app needs: venue mode off.
    pub fn require_off(&self) -> Result<()> {
        if self.is_on() {
            Err(Error::VenueMode)
        } else {
            Ok(())
        }
    }

    /// The venue this door is bound to; refused outside venue mode.
    pub(crate) async fn binding(&self, diary: &Diary) -> Result<DoorBinding> {
        match diary.door_binding().await? {
            Some(binding) if self.is_on() => Ok(binding),
            _ => Err(diary::Error::DoorNotBound.into()),
        }
    }

    /// Checks the venue mode's PIN (the person in charge), with its waits after wrong tries.
    pub(crate) async fn check_pin(
        &self,
        diary: &Diary,
        pin: &str,
        clock: &impl Clock,
    ) -> Result<()> {
        self.binding(diary).await?;
        self.pin.check(diary, pin, clock).await
    }

    pub async fn status(&self, diary: &Diary, now: DateTime<Utc>) -> Result<DoorStatus> {
        Ok(DoorStatus {
            binding: diary.door_binding().await?,
            wait_seconds: self.pin.wait_seconds(diary, now).await?,
            retention_days: diary.door_retention_days().await?,
            retention_choices: diary::RETENTION_CHOICES.to_vec(),
        })
    }

    /// Turns venue mode on: binds the device to the venue of `poster` (its own poster, verified)
    /// and sets the PIN that leaving will need. `salt` is random bytes for the PIN's hash.
    pub async fn turn_on(
        &self,
        diary: &Diary,
        poster: &str,
        pin: &str,
        salt: [u8; 16],
        now: DateTime<Utc>,
    ) -> Result<DoorBinding> {
        if !valid_pin(pin) {
            return Err(Error::PinInvalid);
        }
        if self.is_on() {
            return Err(diary::Error::DoorAlreadyBound.into());
        }
        // The poster is checked before the slow hash, and again when binding.
        diary.door_preview(poster)?;
        let pin = pin.to_owned();
        let hash = blocking(move || hash_pin(&pin, &salt)).await??;
        let bound = diary.bind_door(poster, &hash, now).await?;
        self.pin.reload(Some(diary)).await;
        self.on.store(true, Ordering::SeqCst);
        Ok(bound)
    }

    /// Changes how long the guestbook keeps entries; the venue mode's PIN is needed, since a
    /// shorter retention deletes entries at once. Returns how many went.
    pub async fn set_retention(
        &self,
        diary: &Diary,
        days: u32,
        pin: &str,
        clock: &impl Clock,
    ) -> Result<usize> {
        if !self.is_on() {
            return Err(diary::Error::DoorNotBound.into());
        }
        if !diary::RETENTION_CHOICES.contains(&days) {
            return Err(diary::Error::RetentionInvalid(days).into());
        }
        self.pin.check(diary, pin, clock).await?;
        Ok(diary.set_door_retention_days(days, clock.now()).await?)
    }

    /// Leaves venue mode with the PIN set when it was turned on. The guestbook stays, sealed,
    /// until its retention, for a tracer who asks.
    pub async fn turn_off(&self, diary: &Diary, pin: &str, clock: &impl Clock) -> Result<()> {
        if !self.is_on() {
            return Err(diary::Error::DoorNotBound.into());
        }
        self.pin.check(diary, pin, clock).await?;
        // The PIN's hash goes with the binding.
        diary.unbind_door(clock.now()).await?;
        self.on.store(false, Ordering::SeqCst);
        self.pin.reload(Some(diary)).await;
        Ok(())
    }
}
