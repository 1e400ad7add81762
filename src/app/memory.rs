//! The process's memory, as the kernel sees it: resident and peak resident set size
//! (`/proc/self/status` VmRSS and VmHWM), and [`give_back`], which returns the allocator's
//! freed pages to the kernel after a big layer's memory is released (glibc keeps freed
//! memory of the main heap until `malloc_trim`; a closed or cancelled layer must show as
//! freed).

/// Resident set size now and at its peak, in KiB (`None` where `/proc` does not tell).
pub fn rss_kib() -> Option<(u64, u64)> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        s.lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Return freed heap memory to the kernel (glibc `malloc_trim(0)`; nothing elsewhere).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One try: 64 MiB allocated shows in the resident size, and freed and given back it
    /// leaves it; `Err` says what was seen.
    fn big_free_try() -> Result<(), String> {
        let Some((before, _)) = rss_kib() else {
            return Ok(()); // no /proc here
        };
        let mut big: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8 | 1; 1 << 20]).collect();
        let (during, peak) = rss_kib().ok_or("rss")?;
        big.clear();
        big.shrink_to_fit();
        give_back();
        let (after, _) = rss_kib().ok_or("rss")?;
        // freed memory the allocator kept from earlier can take a part of the 64 MiB
        if during < before + 48 * 1024 || peak < during || after + 32 * 1024 > during {
            return Err(format!("{before} -> {during} -> {after} KiB (peak {peak})"));
        }
        Ok(())
    }

    /// The resident size is the whole process's, and the other unit tests allocate and free
    /// on their threads at the same time: a try can see their memory come or go, so up to
    /// five tries; memory that is never given back fails every one.
    #[test]
    fn a_big_free_shows_in_the_resident_size() {
        let mut seen = Vec::new();
        for _ in 0..5 {
            match big_free_try() {
                Ok(()) => return,
                Err(e) => seen.push(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("every try failed: {seen:?}");
    }
}
