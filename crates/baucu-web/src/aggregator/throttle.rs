//! The rate of `POST /api/packages` per client address: a token bucket per address, refilled at a
//! steady rate with a burst for a district's stick sent at once. The table of addresses is bounded;
//! when full, buckets that are full again (idle addresses) are dropped first, and an address that
//! cannot get a bucket is refused rather than let through.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Packages one address may send at once.
pub const BURST: u32 = 60;
/// Packages per minute an address may send over time.
pub const PER_MINUTE: u32 = 60;
/// Addresses tracked at once.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
pub struct Throttle {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Throttle {
    pub fn new(burst: u32, per_minute: u32) -> Throttle {
        Throttle {
            burst: f64::from(burst),
            per_second: f64::from(per_minute) / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip` at `now`; `Err(wait)` says how long until the next one.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else { return Err(Duration::from_secs(60)) };
        let (burst, rate) = (self.burst, self.per_second);
        let refill = |b: &mut Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            b.tokens = (b.tokens + elapsed * rate).min(burst);
            b.at = now;
        };
        if !buckets.contains_key(&ip) && buckets.len() >= MAX_ADDRESSES {
            buckets.retain(|_, b| {
                refill(b);
                b.tokens < burst
            });
            if buckets.len() >= MAX_ADDRESSES {
                return Err(Duration::from_secs(60));
            }
        }
        let bucket = buckets.entry(ip).or_insert(Bucket { tokens: burst, at: now });
        refill(bucket);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate;
            Err(Duration::from_secs_f64(wait.clamp(1.0, 3600.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate_per_address() {
        let throttle = Throttle::new(3, 60);
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(throttle.take(a, t0).is_ok());
        }
        assert_eq!(throttle.take(a, t0), Err(Duration::from_secs(1)));
        assert!(throttle.take(b, t0).is_ok(), "another address has its own bucket");
        assert!(throttle.take(a, t0 + Duration::from_secs(1)).is_ok(), "one token a second");
        assert!(throttle.take(a, t0 + Duration::from_secs(1)).is_err());
    }
}
