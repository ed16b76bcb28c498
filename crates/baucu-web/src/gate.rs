//! Caps on what strangers in the hall can hold open: a total and a per-address count, taken when a
//! connection (or a live-update stream) starts and given back when it ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// At most `total` passes at once, and at most `per_address` for one source address.
#[derive(Debug)]
pub struct AddressGate {
    total: usize,
    per_address: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// One place in a gate; dropping it gives the place back.
#[derive(Debug)]
pub struct Pass {
    gate: Arc<AddressGate>,
    address: IpAddr,
}

/// Why a gate said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The whole node is at its limit.
    Full,
    /// This address holds its share already.
    AddressFull,
}

impl AddressGate {
    pub fn new(total: usize, per_address: usize) -> Arc<Self> {
        Arc::new(AddressGate { total, per_address, held: Mutex::new(Held::default()) })
    }

    pub fn try_enter(self: &Arc<Self>, address: IpAddr) -> Result<Pass, Refusal> {
        let address = canonical(address);
        let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if held.total >= self.total {
            return Err(Refusal::Full);
        }
        let mine = held.by_address.entry(address).or_insert(0);
        if *mine >= self.per_address {
            return Err(Refusal::AddressFull);
        }
        *mine += 1;
        held.total += 1;
        Ok(Pass { gate: Arc::clone(self), address })
    }

    /// How many passes are out.
    pub fn held(&self) -> usize {
        self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).total
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut held = self.gate.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        held.total = held.total.saturating_sub(1);
        if let Some(mine) = held.by_address.get_mut(&self.address) {
            *mine -= 1;
            if *mine == 0 {
                held.by_address.remove(&self.address);
            }
        }
    }
}

/// An IPv4 address seen through an IPv6 socket counts as the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_the_node_its_total() {
        let gate = AddressGate::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let first = gate.try_enter(a).expect("1");
        let _second = gate.try_enter(a).expect("2");
        assert_eq!(gate.try_enter(a).map(|_| ()), Err(Refusal::AddressFull));
        let _third = gate.try_enter(b).expect("b");
        assert_eq!(gate.try_enter(b).map(|_| ()), Err(Refusal::Full));
        drop(first);
        assert_eq!(gate.held(), 2);
        let _again = gate.try_enter(a).expect("a place given back is free again");
    }

    #[test]
    fn an_ipv4_address_behind_an_ipv6_socket_is_the_same_address() {
        let gate = AddressGate::new(10, 1);
        let _held = gate.try_enter("10.0.0.1".parse().expect("ip")).expect("first");
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(gate.try_enter(mapped).map(|_| ()), Err(Refusal::AddressFull));
    }
}
