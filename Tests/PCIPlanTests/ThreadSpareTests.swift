import Foundation
import Testing
@testable import PCIPlan
@testable import PCIPlanOutput
@testable import PCIPlanSource

/// A result handed from a thread to the one waiting for it.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on a thread of its own (one that has no spares yet) and returns its result.
private func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.start()
    done.wait()
    return box.value!
}

/// A domain-like document of `n` elements with attributes.
private func document(_ n: Int, tag: String) -> SourceFile {
    var text = "<domain type='kvm'>\n  <devices>\n"
    for i in 0..<n { text += "    <\(tag) type='file' index='\(i)'>\n      <source file='/img/\(i).qcow2'/>\n    </\(tag)>\n" }
    text += "  </devices>\n</domain>\n"
    return SourceFile(name: "\(tag)-\(n).xml", text: text)
}

/// What a reader makes of a file, as comparable values: every element's name, tag ranges,
/// attributes and text.
private func shape(_ file: SourceFile) throws -> [String] {
    var out: [String] = []
    func walk(_ el: XMLElement) {
        let attributes = el.attributes.map { "\($0.name)=\($0.value)@\($0.nameRange)/\($0.valueRange)" }
        out.append("\(el.name) \(el.startTag) \(String(describing: el.endTag)) \(attributes) \(el.text)")
        el.children.forEach(walk)
    }
    walk(try XMLReader.parse(file))
    return out
}

/// Where the element records of the document `root` belongs to are stored.
private func recordStorage(_ root: XMLElement) -> UnsafeRawPointer? {
    root.document.nodes.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

@Suite struct ThreadSpareTests {
    @Test("a spare is this thread's only, and the larger array is the one kept")
    func perThreadLargerKept() {
        let spare = ThreadSpare<[Int]>()
        #expect(spare.take() == nil)
        spare.putArray(Array(repeating: 1, count: 100))
        spare.putArray(Array(repeating: 2, count: 10))  // smaller: not kept
        #expect(onNewThread { spare.take() == nil }, "another thread sees its own, empty slot")
        let kept = spare.take()
        #expect(kept?.count == 100 && kept?.first == 1)
        #expect(spare.take() == nil, "take empties the slot")

        spare.putArray(Array(repeating: 3, count: 50))
        let reused = spare.takeArray(reserving: 10)
        #expect(reused.isEmpty && reused.capacity >= 50, "emptied, its capacity kept")

        // Past the cap nothing is kept, so a huge file's records do not live on with the thread.
        let limit = ThreadSpare<[Int]>.maximumBytes / MemoryLayout<Int>.stride
        spare.putArray([Int](repeating: 4, count: limit + 1))
        #expect(spare.take()?.count == nil, "an array past \(ThreadSpare<[Int]>.maximumBytes) bytes is not kept")
        spare.putArray([Int](repeating: 5, count: limit / 2))
        #expect(spare.take()?.count == limit / 2, "one under it is")
    }

    @Test("a document read after another one was let go reuses its record storage and reads the same")
    func readerReusesRecords() throws {
        let big = document(400, tag: "disk"), small = document(30, tag: "interface")
        // Where the first document's records were, noted while it is alive; then let go.
        let first: UnsafeRawPointer? = try {
            let root = try XMLReader.parse(big)
            #expect(root.children.first?.children.count == 400)
            return recordStorage(root)
        }()
        let root = try XMLReader.parse(small)
        #expect(first != nil && recordStorage(root) == first, "the second document's records are in the first one's storage")
        // The same elements, ranges, attributes and texts as a reader with nothing to reuse.
        #expect(try shape(small) == onNewThread { (try? shape(small)) ?? [] })
        #expect(try shape(big) == onNewThread { (try? shape(big)) ?? [] })
    }

    @Test("plans written one after another on a thread come out as on a fresh thread")
    func writerReusesEdits() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples")
        let names = ["q35-desktop.xml", "pc-multifunction.xml", "q35-no-free-port.xml"]
        let files = try names.map { SourceFile(name: $0, bytes: try [UInt8](Data(contentsOf: examples.appendingPathComponent($0)))) }
        let fresh = onNewThread { files.map { file in Pipeline.plan(file).planned.map(XMLWriter.render) ?? [] } }
        #expect(fresh.filter { !$0.isEmpty }.count >= 2, "at least two examples plan")
        for _ in 0..<2 {
            for (file, expected) in zip(files, fresh) {
                #expect((Pipeline.plan(file).planned.map(XMLWriter.render) ?? []) == expected, "\(file.name)")
            }
        }
    }
}
