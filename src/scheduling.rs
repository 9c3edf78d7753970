//! The process's CPU scheduling class (`cpu_scheduling`). examd's hot path is two threads handing work
//! to each other: request threads queue saves, the autosave writer commits them and wakes the requests.
//! Where they share a core, the default class lets every wakeup preempt the running thread, so a writer
//! in the middle of a batch is switched out each time a packet arrives, some twenty times per batch.
//! `SCHED_BATCH` keeps wakeups from preempting: a woken thread runs when the running one blocks (on
//! `fsync`, on the network) or its time slice ends. Measured in docs/benchmarks.md.

/// The classes examd can run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpuScheduling {
    /// `SCHED_BATCH`: wakeups do not preempt.
    Batch,
    /// The default class (`SCHED_OTHER`).
    Normal,
}

/// Puts the calling thread, and every thread it starts afterwards, in the class.
pub fn apply(class: CpuScheduling) -> Result<(), String> {
    match class {
        CpuScheduling::Normal => Ok(()),
        CpuScheduling::Batch => set_batch(),
    }
}

#[cfg(target_os = "linux")]
fn set_batch() -> Result<(), String> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 names the calling thread and `param` outlives the call. Lowering the class to
    // SCHED_BATCH needs no privilege.
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!("sched_setscheduler(SCHED_BATCH): {}", std::io::Error::last_os_error()))
    }
}

#[cfg(not(target_os = "linux"))]
fn set_batch() -> Result<(), String> {
    tracing::info!("cpu_scheduling = \"batch\" applies on Linux only; the default class stays");
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The class a thread gets when started by one that applied `policy`.
    fn class_of_a_thread_after(class: CpuScheduling) -> Result<i32, String> {
        // In a thread of its own, so the test runner's threads keep their class.
        let applier = std::thread::spawn(move || {
            apply(class)?;
            // SAFETY: sched_getscheduler reads the calling thread's class; pid 0 is that thread.
            let child = std::thread::spawn(|| unsafe { libc::sched_getscheduler(0) });
            child.join().map_err(|_| "the child thread panicked".to_string())
        });
        applier.join().map_err(|_| "the applying thread panicked".to_string())?
    }

    #[test]
    fn batch_is_inherited_by_threads_started_afterwards() {
        assert_eq!(class_of_a_thread_after(CpuScheduling::Batch), Ok(libc::SCHED_BATCH));
    }

    #[test]
    fn normal_leaves_the_default_class() {
        assert_eq!(class_of_a_thread_after(CpuScheduling::Normal), Ok(libc::SCHED_OTHER));
    }
}
