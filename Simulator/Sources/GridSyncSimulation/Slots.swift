/// At most `count` holders at once; the rest wait their turn, first come first served. Bounds
/// how many terminals' replica files a large day holds open at one moment (each is a few file
/// descriptors, and a process has some thousands).
actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
