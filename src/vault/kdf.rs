//! Argon2id: deriving a slot's wrapping key from a passphrase, with parameters calibrated once
//! when a vault is created and stored in each slot.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::VaultError;
use super::secret::{KEY_LEN, Passphrase, SubKey};

/// Argon2id parameters of one slot, as stored in `ledger.keys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

/// The floor for calibrated parameters: 256 MiB of memory.
pub const MIN_MEMORY_KIB: u32 = 256 * 1024;
/// The floor for calibrated parameters: half a second on this machine.
pub const MIN_DURATION: Duration = Duration::from_millis(500);
/// Lanes used by calibration.
pub const LANES: u32 = 4;

/// Bounds for parameters read from a file or a row, checked before any work is done: a damaged or
/// hostile key file must not make unlocking allocate 100 GiB or run for minutes. 1 GiB of memory
/// at most (four times the calibrated 256 MiB).
pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
/// Upper bound on passes (see [`MAX_MEMORY_KIB`]).
pub const MAX_T_COST: u32 = 64;
/// Upper bound on lanes (see [`MAX_MEMORY_KIB`]).
pub const MAX_P_COST: u32 = 8;
/// Upper bound on memory × passes, in KiB·passes (4 GiB·passes: 16 passes over 256 MiB, about
/// 8 s on the 2-core reference machine). Bounds the work of one derivation, which memory and
/// passes alone do not (1 GiB × 64 passes would take minutes).
pub const MAX_WORK_KIB_PASSES: u64 = 4 * 1024 * 1024;

/// How a new vault chooses its KDF parameters.
#[derive(Debug, Clone, Copy)]
pub enum KdfChoice {
    /// Measure this machine: 256 MiB and enough passes for at least 0.5 s. What the app uses.
    Calibrate,
    /// Fixed parameters: for tests and benchmarks only (the CLI and GUI never offer it).
    Fixed(KdfParams),
}

impl KdfChoice {
    /// Cheap parameters that keep tests fast. Never used by the shipped binary.
    pub const INSECURE_FOR_TESTS: KdfChoice = KdfChoice::Fixed(KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    });

    /// The parameters to store in a new vault's slots.
    pub fn resolve(self) -> Result<KdfParams, VaultError> {
        match self {
            KdfChoice::Fixed(p) => Ok(p),
            KdfChoice::Calibrate => calibrate(),
        }
    }
}

impl KdfParams {
    /// Checks parameters read from a file against the bounds above.
    pub fn check_bounds(&self) -> Result<(), VaultError> {
        let ok = (8..=MAX_MEMORY_KIB).contains(&self.m_cost_kib)
            && (1..=MAX_T_COST).contains(&self.t_cost)
            && (1..=MAX_P_COST).contains(&self.p_cost)
            && self.m_cost_kib >= 8 * self.p_cost
            && u64::from(self.m_cost_kib) * u64::from(self.t_cost) <= MAX_WORK_KIB_PASSES;
        if ok { Ok(()) } else { Err(VaultError::Damaged) }
    }

    /// Derives the 256-bit key that wraps the master key in a passphrase slot.
    pub fn derive(&self, passphrase: &Passphrase, salt: &[u8]) -> Result<SubKey, VaultError> {
        self.derive_bytes(passphrase.expose(), salt)
    }

    /// [`KdfParams::derive`] from raw passphrase bytes (a slot keyed before NFC normalisation).
    pub(crate) fn derive_bytes(
        &self,
        passphrase: &[u8],
        salt: &[u8],
    ) -> Result<SubKey, VaultError> {
        self.check_bounds()?;
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(|_| VaultError::Damaged)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|_| VaultError::Damaged)?;
        Ok(SubKey::from_bytes(*out))
    }
}

/// Finds parameters that take at least [`MIN_DURATION`] with [`MIN_MEMORY_KIB`] on this machine.
///
/// One pass is timed twice (the first run also pays for mapping 256 MiB) to estimate the number
/// of passes; the estimate is then timed for real and raised until it meets the floor.
fn calibrate() -> Result<KdfParams, VaultError> {
    let pass = Passphrase::new("calibration".to_owned());
    let salt = [0u8; 32];
    let time = |params: KdfParams| -> Result<Duration, VaultError> {
        let started = Instant::now();
        params.derive(&pass, &salt)?;
        Ok(started.elapsed())
    };
    let mut params = KdfParams {
        m_cost_kib: MIN_MEMORY_KIB,
        t_cost: 1,
        p_cost: LANES,
    };
    let one_pass = time(params)?
        .min(time(params)?)
        .max(Duration::from_millis(1));
    // Aim 20 % above the floor so that a busy machine still meets it.
    let wanted = MIN_DURATION.as_secs_f64() * 1.2 / one_pass.as_secs_f64();
    // Most passes the work bound allows at this memory (16 at 256 MiB): a slow machine gets
    // the most the reading rules accept, never parameters its own files would refuse.
    let max_t =
        (MAX_WORK_KIB_PASSES / u64::from(params.m_cost_kib)).min(u64::from(MAX_T_COST)) as u32;
    params.t_cost = (wanted.ceil() as u32).clamp(1, max_t);
    for _ in 0..4 {
        let took = time(params)?;
        if took >= MIN_DURATION || params.t_cost == max_t {
            break;
        }
        let scale = MIN_DURATION.as_secs_f64() * 1.2 / took.as_secs_f64();
        params.t_cost =
            ((f64::from(params.t_cost) * scale).ceil() as u32).clamp(params.t_cost + 1, max_t);
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> KdfParams {
        KdfParams {
            m_cost_kib,
            t_cost,
            p_cost,
        }
    }

    #[test]
    fn parameters_read_from_a_file_are_bounded_before_any_work() {
        // What calibration writes, at its extremes, is accepted.
        assert!(p(MIN_MEMORY_KIB, 1, LANES).check_bounds().is_ok());
        assert!(p(MIN_MEMORY_KIB, 16, LANES).check_bounds().is_ok());
        assert!(p(MAX_MEMORY_KIB, 4, MAX_P_COST).check_bounds().is_ok());
        // Each bound on its own.
        assert!(p(MAX_MEMORY_KIB + 1, 1, 1).check_bounds().is_err());
        assert!(p(1024, MAX_T_COST + 1, 1).check_bounds().is_err());
        assert!(p(1024, 1, MAX_P_COST + 1).check_bounds().is_err());
        assert!(p(7, 1, 1).check_bounds().is_err());
        assert!(p(64, 0, 1).check_bounds().is_err());
        assert!(p(64, 1, 0).check_bounds().is_err());
        assert!(p(15, 1, 2).check_bounds().is_err());
        // Memory and passes each in bounds, their product not: 1 GiB × 64 passes, or 256 MiB
        // × 17.
        assert!(p(MAX_MEMORY_KIB, MAX_T_COST, 1).check_bounds().is_err());
        assert!(p(MIN_MEMORY_KIB, 17, LANES).check_bounds().is_err());
        // derive refuses too, without deriving.
        let started = Instant::now();
        assert!(
            p(MAX_MEMORY_KIB, MAX_T_COST, 1)
                .derive(&Passphrase::new("x".into()), &[0; 32])
                .is_err()
        );
        assert!(started.elapsed() < Duration::from_millis(100));
    }
}
