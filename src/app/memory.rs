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

    #[test]
    fn a_big_free_shows_in_the_resident_size() {
        let Some((before, _)) = rss_kib() else {
            return; // no /proc here
        };
        let mut big: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8 | 1; 1 << 20]).collect();
        let (during, peak) = rss_kib().expect("rss");
        assert!(during >= before + 60 * 1024, "{before} -> {during} KiB");
        assert!(peak >= during);
        big.clear();
        big.shrink_to_fit();
        give_back();
        let (after, _) = rss_kib().expect("rss");
        assert!(
            after + 32 * 1024 <= during,
            "{during} -> {after} KiB after the free"
        );
    }
}
