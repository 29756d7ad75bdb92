#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One spare value per thread: a large working buffer that one run hands back (`putArray`) and
/// the next run on the same thread takes (`takeArray`) instead of allocating it afresh.
///
/// Why: glibc returns the top of the heap to the kernel when a large run frees it, and the
/// next run touches every page of it again, one page fault each. A 4,000-device plan did that
/// for ~700 pages in every call of a long-running process (~2 ms of its ~10 ms on the machine
/// the README measures). Arrays kept here keep their pages.
///
/// Each thread sees only its own slot, so a value never crosses threads; a thread's spare is
/// released when the thread ends. A slot holds one value, the larger array of those handed
/// back and at most `maximumBytes` of storage: a long-running host that once read a huge file
/// (the reader takes up to 32 MiB) must not keep that file's records for the thread's life.
package final class ThreadSpare<Value>: @unchecked Sendable {
    // @unchecked Sendable: the only shared state is the key; the slots behind it are per thread.
    private let key: pthread_key_t

    private final class Slot {
        var value: Value?
    }

    /// The most storage a spare keeps, 4 MiB: a 4,000-device domain's element records are
    /// under 1 MB, so domains of about 20,000 devices still have theirs kept.
    package static var maximumBytes: Int { 4 << 20 }

    /// A new slot key (keys are few per process: make spares `static let`s).
    package init() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { slot in
            if let slot { Unmanaged<AnyObject>.fromOpaque(slot).release() }
        }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        self.key = key
    }

    private var slot: Slot {
        if let p = pthread_getspecific(key) { return Unmanaged<Slot>.fromOpaque(p).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    /// This thread's spare, leaving the slot empty; nil when there is none.
    package func take() -> Value? {
        let slot = self.slot
        defer { slot.value = nil }
        return slot.value
    }
}

extension ThreadSpare {
    /// An array for a new run: the spare's storage emptied (its capacity kept), else a new one;
    /// either way with room for `capacity` elements.
    package func takeArray<Element>(reserving capacity: Int) -> [Element] where Value == [Element] {
        var array = take() ?? []
        array.removeAll(keepingCapacity: true)
        array.reserveCapacity(capacity)
        return array
    }

    /// Keeps `array` (its storage) as this thread's spare when it holds more than the spare
    /// the thread has and no more than `maximumBytes`.
    package func putArray<Element>(_ array: [Element]) where Value == [Element] {
        guard array.capacity * MemoryLayout<Element>.stride <= Self.maximumBytes else { return }
        let slot = self.slot
        guard array.capacity > (slot.value?.capacity ?? 0) else { return }
        slot.value = array
    }
}
