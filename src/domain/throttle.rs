//! Slowing down password guessing (登录限速) without shutting anyone out.
//!
//! Each key (a login name, an address) holds a leaky bucket: every attempt adds one, and one
//! drips away per `leak_ms`. An attempt is admitted only while the bucket holds fewer than
//! `free`, and it is counted *before* the password is checked, so parallel guesses cannot slip
//! past the count. A full bucket frees a place within one `leak_ms`: a person whose account is
//! under attack waits seconds, never a quarter of an hour.

/// How many attempts a key gets at once and how fast they come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Attempts admitted back to back.
    pub free: i64,
    /// Milliseconds for one attempt to drip away.
    pub leak_ms: i64,
}

/// Per login name: five attempts at once, then one a minute.
pub const PER_ACCOUNT: Throttle = Throttle { free: 5, leak_ms: 60_000 };
/// Per address (a factory behind one NAT is many people): thirty at once, then six a minute.
pub const PER_ADDRESS: Throttle = Throttle { free: 30, leak_ms: 10_000 };

/// A bucket as stored: how many attempts it held at `since`, the last moment it was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Attempts held at `since`.
    pub count: i64,
    /// When the count was settled, in milliseconds.
    pub since: i64,
}

impl Throttle {
    /// The bucket as of `now`, with what dripped away since it was settled.
    pub fn settle(self, b: Bucket, now: i64) -> Bucket {
        let elapsed = (now - b.since).max(0);
        let leaked = elapsed / self.leak_ms;
        if leaked >= b.count {
            Bucket { count: 0, since: now }
        } else {
            // Keep the part of a drip already under way.
            Bucket { count: b.count - leaked, since: b.since + leaked * self.leak_ms }
        }
    }

    /// Admits one attempt (the new bucket) or says how many milliseconds to wait.
    pub fn admit(self, b: Bucket, now: i64) -> Result<Bucket, i64> {
        let s = self.settle(b, now);
        if s.count < self.free {
            Ok(Bucket { count: s.count + 1, since: s.since })
        } else {
            let drips = s.count - self.free + 1;
            Err((s.since + drips * self.leak_ms - now).max(1))
        }
    }

    /// Gives back an attempt that turned out to be the right password.
    pub fn give_back(self, b: Bucket, now: i64) -> Bucket {
        let s = self.settle(b, now);
        Bucket { count: (s.count - 1).max(0), since: s.since }
    }

    /// When a bucket settled at `since` is empty whatever it held: rows older can be forgotten.
    pub fn forgotten_before(self, now: i64) -> i64 {
        now - self.free * self.leak_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Throttle = Throttle { free: 3, leak_ms: 1_000 };

    #[test]
    fn attempts_beyond_the_free_ones_wait_for_one_drip() {
        let mut b = Bucket { count: 0, since: 0 };
        for _ in 0..3 {
            b = T.admit(b, 0).unwrap();
        }
        assert_eq!(b.count, 3);
        assert_eq!(T.admit(b, 0), Err(1_000));
        assert_eq!(T.admit(b, 400), Err(600));
        // One drip later one attempt is admitted, and the bucket is full again.
        let b = T.admit(b, 1_000).unwrap();
        assert_eq!(b, Bucket { count: 3, since: 1_000 });
        assert_eq!(T.admit(b, 1_999), Err(1));
    }

    #[test]
    fn a_drip_under_way_is_kept() {
        let b = Bucket { count: 3, since: 0 };
        // 2.5 drips: two gone, the third half way.
        assert_eq!(T.settle(b, 2_500), Bucket { count: 1, since: 2_000 });
        assert_eq!(T.settle(b, 9_000), Bucket { count: 0, since: 9_000 });
    }

    #[test]
    fn the_wait_never_exceeds_one_drip() {
        let mut b = Bucket { count: 0, since: 0 };
        for now in (0..100_000).step_by(37) {
            match T.admit(b, now) {
                Ok(n) => b = n,
                Err(wait) => assert!((1..=T.leak_ms).contains(&wait), "{wait}"),
            }
        }
    }

    #[test]
    fn a_right_password_gives_its_attempt_back() {
        let b = T.admit(Bucket { count: 2, since: 0 }, 0).unwrap();
        assert_eq!(T.give_back(b, 0), Bucket { count: 2, since: 0 });
        assert_eq!(T.give_back(Bucket { count: 0, since: 5 }, 10).count, 0);
        assert_eq!(T.forgotten_before(10_000), 7_000);
    }
}
