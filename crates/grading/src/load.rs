//! Helpers for load tests that hold thousands of sockets open.

/// Raises this process's soft limit on open files (`RLIMIT_NOFILE`) as far as
/// its hard limit allows, and returns the soft limit now in force (`None` where
/// it is unknown, e.g. off unix). Child processes started afterwards inherit it.
///
/// macOS starts shells with a soft limit of 256 and refuses soft limits above
/// `OPEN_MAX` (10 240) even when the hard limit is "unlimited"; Linux refuses
/// more than `/proc/sys/fs/nr_open`. So several targets are tried, highest first.
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        unix::raise_open_files_limit()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Makes closing `stream` reset the connection (`SO_LINGER` with a zero
/// timeout) instead of the usual goodbye, so that it leaves no socket in
/// `TIME_WAIT` behind. Thousands of connections closed the usual way stay in
/// `TIME_WAIT` for a minute each, and closing them costs more: a load test
/// that runs again and again should not pile them up. Best effort: does
/// nothing off unix.
pub fn reset_on_close(stream: &std::net::TcpStream) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        unix::reset_on_close(stream)
    }
    #[cfg(not(unix))]
    {
        let _ = stream;
        Ok(())
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::fd::AsRawFd;

    // `rlim_t` is `u64` on the usual targets but not on all of them.
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    fn to_u64(value: libc::rlim_t) -> u64 {
        value as u64
    }

    pub(super) fn raise_open_files_limit() -> Option<u64> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes into the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return None;
        }
        let (current, hard) = (limit.rlim_cur, limit.rlim_max);
        let targets: [libc::rlim_t; 5] = [hard, 1 << 20, 65_536, 24_576, 10_240];
        for target in targets {
            if target <= current || target > hard {
                continue;
            }
            let wanted = libc::rlimit {
                rlim_cur: target,
                rlim_max: hard,
            };
            // SAFETY: setrlimit only reads the struct it is given.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) } == 0 {
                return Some(to_u64(target));
            }
        }
        Some(to_u64(current))
    }

    pub(super) fn reset_on_close(stream: &std::net::TcpStream) -> io::Result<()> {
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        let size = libc::socklen_t::try_from(std::mem::size_of::<libc::linger>())
            .expect("a linger struct fits in socklen_t");
        // SAFETY: the option value points to a live `linger` of the given size,
        // and the descriptor belongs to `stream`, which outlives the call.
        let done = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                std::ptr::from_ref(&linger).cast(),
                size,
            )
        };
        if done == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}
