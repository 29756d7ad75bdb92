import Testing
@testable import PCIPlan
@testable import PCIPlanSource

private func read(_ text: String) throws -> (SourceFile, XMLElement) {
    let file = SourceFile(name: "test.xml", text: text)
    return (file, try XMLReader.parse(file))
}

/// The error for `bytes`, or nil if they parsed.
private func readError(_ bytes: [UInt8]) -> XMLReadError? {
    do {
        _ = try XMLReader.parse(SourceFile(name: "test.xml", bytes: bytes))
        return nil
    } catch {
        return error
    }
}

private func readError(_ text: String) -> XMLReadError? { readError(Array(text.utf8)) }

private func offset(of needle: String, in text: String) -> Int? {
    let hay = Array(text.utf8), pin = Array(needle.utf8)
    guard hay.count >= pin.count else { return nil }
    return (0...(hay.count - pin.count)).first { hay[$0..<($0 + pin.count)].elementsEqual(pin) }
}

@Suite("XMLReader ranges")
struct XMLReaderRangeTests {
    static let domain = """
        <domain type='kvm'>
          <name>vm1</name>
          <devices>
            <disk type='file' device="disk">
              <source file='/var/lib/a.img'/>
            </disk>
            <hostdev mode='subsystem'
                     type='pci'
                     managed='yes'>
            </hostdev>
          </devices>
        </domain>

        """

    @Test func elementAndAttributeRanges() throws {
        let (file, root) = try read(Self.domain)
        #expect(root.name == "domain")
        #expect(file.text(root.startTag) == "<domain type='kvm'>")
        #expect(root.endTag.map(file.text) == "</domain>")
        #expect(root.child("name")?.text == "vm1")
        #expect(root.children.map(\.name) == ["name", "devices"])

        let disk = try #require(root.child("devices")?.child("disk"))
        #expect(file.text(disk.startTag) == "<disk type='file' device=\"disk\">")
        #expect(disk.endTag.map(file.text) == "</disk>")
        #expect(file.text(disk.range).hasPrefix("<disk type='file'"))
        #expect(file.text(disk.range).hasSuffix("</disk>"))
        let device = try #require(disk.attributeNode("device"))
        #expect(file.text(device.nameRange) == "device")
        #expect(file.text(device.valueRange) == "disk")
        #expect(disk.attributes.map(\.name) == ["type", "device"])

        let source = try #require(disk.child("source"))
        #expect(source.isSelfClosing)
        #expect(source.endTag == nil)
        #expect(file.text(source.startTag) == "<source file='/var/lib/a.img'/>")
        let path = try #require(source.attributeNode("file"))
        #expect(path.value == "/var/lib/a.img")
        #expect(file.text(path.valueRange) == "/var/lib/a.img")
        #expect(file.text(path.nameRange) == "file")
    }

    @Test func multiLineStartTag() throws {
        let (file, root) = try read(Self.domain)
        let hostdev = try #require(root.child("devices")?.child("hostdev"))
        #expect(file.text(hostdev.startTag) == "<hostdev mode='subsystem'\n             type='pci'\n             managed='yes'>")
        #expect(hostdev.endTag.map(file.text) == "</hostdev>")
        let managed = try #require(hostdev.attributeNode("managed"))
        #expect(file.text(managed.valueRange) == "yes")
        #expect(file.lineColumn(of: managed.nameRange.lowerBound).line == 9)
    }

    /// The line table holds 32-bit offsets; a file past 4 GiB has none and counts line feeds
    /// instead, which must give the same answers.
    @Test("line and column from the line table are those of counting line feeds")
    func lineColumnCounted() {
        let file = SourceFile(name: "t.xml", text: "<a>\n  <b/>\r\n\n<c x='1'/>\n</a>\n")
        for offset in -1...(file.bytes.count + 2) {
            let table = file.lineColumn(of: offset), counted = SourceFile.countedLineColumn(file.bytes, offset)
            #expect(table.line == counted.line && table.column == counted.column, "offset \(offset)")
        }
        #expect(file.lineColumn(of: 6).line == 2 && file.lineColumn(of: 6).column == 3)
    }

    @Test func spacesInsideTags() throws {
        let (file, root) = try read("<a ><b /><c   x = \"1\"\t></c  ></a>")
        #expect(file.text(root.startTag) == "<a >")
        #expect(file.text(root.children[0].startTag) == "<b />")
        #expect(root.children[0].isSelfClosing)
        #expect(file.text(root.children[1].startTag) == "<c   x = \"1\"\t>")
        #expect(root.children[1].endTag.map(file.text) == "</c  >")
        #expect(root.children[1].attributes.first.map { file.text($0.valueRange) } == "1")

        let (file2, quoted) = try read("<a><d x='a/>b>' y=\"'\"/><e z=\">\"></e></a>")
        let d = quoted.children[0]
        #expect(file2.text(d.startTag) == "<d x='a/>b>' y=\"'\"/>")
        #expect(d.isSelfClosing)
        #expect(d.attributes.map(\.value) == ["a/>b>", "'"])
        #expect(d.attributes.map { file2.text($0.valueRange) } == ["a/>b>", "'"])
        #expect(file2.text(quoted.children[1].startTag) == "<e z=\">\">")
        #expect(quoted.children[1].endTag.map(file2.text) == "</e>")
    }

    @Test func entitiesAreDecoded() throws {
        let text = "<a x='&apos;&amp;&lt;&#65;&#x42;&gt;' y=\"a&amp;amp;b&#38;\" z='l1\n\tl2'>x &amp; y &#233;&lt;</a>"
        let (file, root) = try read(text)
        #expect(root[attribute: "x"] == "'&<AB>")
        #expect(root[attribute: "y"] == "a&amp;b&")
        #expect(root[attribute: "z"] == "l1  l2")
        #expect(root.text == "x & y é<")
        let x = try #require(root.attributeNode("x"))
        #expect(file.text(x.valueRange) == "&apos;&amp;&lt;&#65;&#x42;&gt;")
        #expect(root.endTag.map(file.text) == "</a>")
    }

    /// Values kept as their bytes (most) and values kept decoded (a reference, a tab, a line
    /// break, CR LF) side by side: every way of asking gives the decoded value, names are
    /// matched by their bytes (multi-byte and prefixed ones too, never by a prefix of a name),
    /// and an element built in memory from the same attributes answers the same.
    @Test func plainAndDecodedValuesSideBySide() throws {
        let text = "<a plain='pci' amp='x&amp;y' tab='1\t2' lf='3\n4' crlf='5\r\n6' größe='ü' xml:lang='en' slot2='0x02' slot='0x01'/>"
        let (file, root) = try read(text)
        let expected: [(String, String)] = [
            ("plain", "pci"), ("amp", "x&y"), ("tab", "1 2"), ("lf", "3 4"), ("crlf", "5 6"),
            ("größe", "ü"), ("xml:lang", "en"), ("slot2", "0x02"), ("slot", "0x01"),
        ]
        #expect(root.attributes.map(\.name) == expected.map(\.0))
        #expect(root.attributes.map(\.value) == expected.map(\.1))
        for (name, value) in expected {
            #expect(root[attribute: name] == value, "\(name)")
            let node = try #require(root.attributeNode(name))
            #expect(node.name == name && node.value == value)
            #expect(file.text(node.nameRange) == name)
        }
        #expect(root[attribute: "slo"] == nil && root[attribute: "slot22"] == nil && root[attribute: "lang"] == nil)
        // The value range is the bytes as written, whatever the value decodes to.
        #expect(root.attributeNode("crlf").map { file.text($0.valueRange) } == "5\r\n6")

        let built = XMLElement(name: "a", attributes: Array(root.attributes), startTag: root.startTag, endTag: nil)
        #expect(built == root)
        for (name, value) in expected { #expect(built[attribute: name] == value, "\(name)") }
        #expect(built[attribute: "slo"] == nil)
    }

    /// The ranges of every tag and attribute, however the start tag is spaced and quoted, and
    /// whether its values reach the reader unchanged (placed from libxml2's buffer) or changed
    /// (a reference, non-ASCII, a namespace declaration: the tag is scanned): each range's
    /// text is what the test wrote, so a range one byte off shows. The long document takes
    /// libxml2 past the end of its first input chunk, where it shrinks its buffer.
    @Test func tagAndAttributeRangesHoweverWritten() throws {
        let tags: [(tag: String, attributes: [(String, String)])] = [
            ("<domain  type = \"kvm\"\n\tid='1' >", [("type", "kvm"), ("id", "1")]),
            ("<disk type='file'/>", [("type", "file")]),
            ("<disk\ttype='block' />", [("type", "block")]),
            ("<e x='' y=\"\"/>", [("x", ""), ("y", "")]),
            ("<w g='a>b' h=\"it's\"/>", [("g", "a>b"), ("h", "it's")]),
            ("<t xml:lang='en'  slot='0x1f'/>", [("xml:lang", "en"), ("slot", "0x1f")]),
            ("<v n='ü' plain='p'/>", [("n", "ü"), ("plain", "p")]),
            ("<v m='a&amp;b' plain='q'/>", [("m", "a&amp;b"), ("plain", "q")]),
            ("<q:x xmlns:q='urn:q' q:a='1'/>", [("xmlns:q", "urn:q"), ("q:a", "1")]),
            ("<n/>", []),
            ("<n >", []),
        ]
        var text = "<root>\n"
        for k in 0..<600 {
            let (tag, _) = tags[k % tags.count]
            text += "  " + tag + (tag.hasSuffix("/>") ? "" : "</" + tag.dropFirst().prefix { $0 != " " && $0 != ">" } + ">") + "\n"
        }
        text += "</root>\n"
        let (file, root) = try read(text)
        #expect(root.children.count == 600)
        for (k, child) in root.children.enumerated() {
            let (tag, attributes) = tags[k % tags.count]
            #expect(file.text(child.startTag) == tag, "element \(k)")
            #expect(child.attributes.count == attributes.count, "element \(k)")
            for (attribute, (name, raw)) in zip(child.attributes, attributes) {
                #expect(attribute.name == name && file.text(attribute.nameRange) == name, "element \(k)")
                #expect(file.text(attribute.valueRange) == raw, "element \(k) \(name)")
            }
        }
        #expect(root.children[7][attribute: "m"] == "a&b")
        #expect(root.children[6][attribute: "n"] == "ü")
    }

    @Test func cdataCommentsAndProcessingInstructions() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- <fake attr='x'> -->
            <a><?pi <b>?><!-- <c/> --><![CDATA[<d attr='1'>]]><e k='v'/><!-- > --></a>
            """
        let (file, root) = try read(text)
        #expect(root.name == "a")
        #expect(root.children.map(\.name) == ["e"])
        #expect(root.text == "<d attr='1'>")
        #expect(file.text(root.startTag) == "<a>")
        #expect(file.text(root.children[0].startTag) == "<e k='v'/>")
        #expect(root.endTag.map(file.text) == "</a>")
    }

    @Test func multibyteTextBeforeElements() throws {
        let text = "<a>ééé 日本 🎉<b x='ü'>ß</b></a>"
        let (file, root) = try read(text)
        let b = try #require(root.child("b"))
        #expect(b.startTag.lowerBound == offset(of: "<b", in: text))
        #expect(file.text(b.startTag) == "<b x='ü'>")
        #expect(b.endTag.map(file.text) == "</b>")
        #expect(b[attribute: "x"] == "ü")
        #expect(b.attributes.first.map { file.text($0.valueRange) } == "ü")
        #expect(b.text == "ß")
        #expect(root.text == "ééé 日本 🎉")
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<a>\r\n  <b\r\n k='1'/>x\r\ny</a>\r\n".utf8)
        let file = SourceFile(name: "bom.xml", bytes: bytes)
        let root = try XMLReader.parse(file)
        #expect(root.startTag == 3..<6)
        #expect(file.text(root.children[0].startTag) == "<b\r\n k='1'/>")
        #expect(root.endTag.map(file.text) == "</a>")
        #expect(root.text.contains("x\ny"))
    }

    @Test func namespacePrefixesKeepQualifiedNames() throws {
        let text = """
            <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\
            <qemu:commandline><qemu:arg value='-s'/></qemu:commandline>\
            <metadata xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en' xmlns='urn:x&amp;y'/>\
            </domain>
            """
        let (file, root) = try read(text)
        #expect(root.attributes.map(\.name) == ["type", "xmlns:qemu"])
        #expect(root[attribute: "xmlns:qemu"] == "http://libvirt.org/schemas/domain/qemu/1.0")
        let ns = try #require(root.attributeNode("xmlns:qemu"))
        #expect(file.text(ns.nameRange) == "xmlns:qemu")
        let commandline = try #require(root.child("qemu:commandline"))
        #expect(commandline.endTag.map(file.text) == "</qemu:commandline>")
        #expect(commandline.child("qemu:arg")?[attribute: "value"] == "-s")
        let metadata = try #require(root.child("metadata"))
        #expect(metadata.attributes.map(\.name) == ["xmlns:xml", "xml:lang", "xmlns"])
        #expect(metadata[attribute: "xmlns:xml"] == "http://www.w3.org/XML/1998/namespace")
        #expect(metadata[attribute: "xml:lang"] == "en")
        #expect(metadata[attribute: "xmlns"] == "urn:x&y")
    }

    @Test func largeDocumentKeepsExactRanges() throws {
        var text = "<domain type='kvm'>\n  <devices>\n"
        for i in 0..<20_000 {
            text += "    <hostdev mode='subsystem' type='pci' managed='yes'><source>"
            text += "<address domain='0x0000' bus='0x\(String(i % 256, radix: 16))' slot='0x\(i % 32)' function='0x0'/>"
            text += "</source><alias name='hostdev\(i)'/></hostdev>\n"
        }
        text += "  </devices>\n</domain>\n"
        let file = SourceFile(name: "big.xml", text: text)
        #expect(file.bytes.count > 2_500_000)
        // Speed is the benchmark's business (pciplan-bench), not a unit test's: this one
        // proves the ranges stay exact on a large input.
        let root = try XMLReader.parse(file)
        let hostdevs = try #require(root.child("devices")).children
        #expect(hostdevs.count == 20_000)
        for (i, hostdev) in hostdevs.enumerated() {
            let alias = try #require(hostdev.child("alias")?.attributeNode("name"))
            guard file.text(alias.valueRange) == "hostdev\(i)",
                  file.text(hostdev.startTag) == "<hostdev mode='subsystem' type='pci' managed='yes'>",
                  hostdev.endTag.map(file.text) == "</hostdev>"
            else {
                Issue.record("wrong ranges for hostdev \(i)")
                break
            }
        }
        #expect(root.endTag.map(file.text) == "</domain>")
    }
}

@Suite("XMLReader hostile input")
struct XMLReaderHostileInputTests {
    @Test(arguments: [
        "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<domain>&xxe;</domain>",
        "<!DOCTYPE domain [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><domain/>",
        "<!DOCTYPE domain SYSTEM \"file:///etc/passwd\"><domain/>",
        "<!DOCTYPE domain><domain/>",
    ])
    func externalEntitiesAndDoctypesAreRefused(_ text: String) throws {
        let error = try #require(readError(text))
        #expect(error.message == "document type declarations are not accepted in domain XML")
        #expect(error.offset == offset(of: "<!DOCTYPE", in: text))
        #expect(!error.message.contains("root:"))
    }

    @Test func billionLaughsIsRefusedQuickly() throws {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        text += "]>\n<lolz a='&lol9;'>&lol9;</lolz>\n"
        // Refused at the DOCTYPE, before any entity is expanded (no time limit: the refusal
        // itself is the proof).
        let error = try #require(readError(text))
        #expect(error.message == "document type declarations are not accepted in domain XML")
    }

    @Test func malformedDoctypeDeclaresNothing() throws {
        // No DOCTYPE name: libxml2 fails before our callback, and must not expand anything.
        var text = "<!DOCTYPE [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        text += "]>\n<lolz>&lol9;</lolz>\n"
        // Refused at the DOCTYPE, before any entity is expanded (no time limit: the refusal
        // itself is the proof).
        let error = try #require(readError(text))
        #expect(error.offset != nil)
        #expect(error.message == "xmlParseDocTypeDecl : no DOCTYPE name !")
    }

    @Test(arguments: [
        ([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E], 3),  // <a>\xFF</a>
        ([0x3C, 0x61, 0x3E, 0xC0, 0x80, 0x3C, 0x2F, 0x61, 0x3E], 3),  // overlong NUL
        ([0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80, 0x3C, 0x2F, 0x61, 0x3E], 3),  // surrogate
        ([0x3C, 0x61, 0x20, 0x78, 0x3D, 0x27, 0xE9, 0x27, 0x2F, 0x3E], 6),  // <a x='\xE9'/> (Latin-1)
        ([0x3C, 0x61, 0x2F, 0x3E, 0xE2, 0x82], 4),  // truncated sequence at the end
    ] as [([UInt8], Int)])
    func invalidUTF8IsRefused(_ bytes: [UInt8], _ expectedOffset: Int) throws {
        let error = try #require(readError(bytes))
        #expect(error.message == "input is not valid UTF-8")
        #expect(error.offset == expectedOffset)
    }

    @Test func utf16IsRefused() throws {
        let utf16 = Array("<domain type='kvm'/>".utf16)
        let littleEndian = utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian = utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [[0xFF, 0xFE] + littleEndian, [0xFE, 0xFF] + bigEndian, littleEndian, bigEndian] {
            let error = try #require(readError(bytes))
            #expect(error.message == "input is not valid UTF-8")
        }
    }

    @Test func declaredLegacyEncodingIsRefused() throws {
        let error = try #require(readError("<?xml version='1.0' encoding='ISO-8859-1'?><a/>"))
        #expect(error.message.hasPrefix("input is not valid UTF-8"))
        #expect(error.message.contains("ISO-8859-1"))
        #expect(error.offset == offset(of: "ISO-8859-1", in: "<?xml version='1.0' encoding='ISO-8859-1'?><a/>"))
        #expect(readError("<?xml version='1.0' encoding=\"utf-8\"?><a/>") == nil)
        #expect(readError("<?xml version='1.0' encoding='US-ASCII'?><a/>") == nil)
    }

    @Test func truncatedDocument() throws {
        let text = "<domain type='kvm'>\n  <devices>\n    <disk type='file'>"
        let error = try #require(readError(text))
        #expect(error.message == "Premature end of data in tag disk line 3")
        #expect(error.offset == text.utf8.count)
        let cut = try #require(readError("<domain type='kv"))
        #expect(!cut.message.isEmpty && !cut.message.contains("\n"))
        #expect(cut.offset != nil)
    }

    @Test func mismatchedTagsAndUndefinedEntities() throws {
        let mismatch = try #require(readError("<a>\n  <b></c></a>"))
        #expect(mismatch.message == "Opening and ending tag mismatch: b line 2 and c")
        let entity = try #require(readError("<a>&nbsp;</a>"))
        #expect(entity.message == "Entity 'nbsp' not defined")
        #expect(entity.offset == 9)
    }

    @Test func nonXMLText() throws {
        let error = try #require(readError("this is not XML at all\n"))
        #expect(error.message == "Start tag expected, '<' not found")
        #expect(error.offset == 0)
    }

    @Test func emptyAndBlankInput() throws {
        let empty = try #require(readError([UInt8]()))
        #expect(empty.message == "Document is empty")
        let blank = try #require(readError("  \n\t \n"))
        #expect(!blank.message.isEmpty)
    }

    @Test func oversizedInput() throws {
        var bytes = Array("<a>".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: XMLReader.maximumSize)
        bytes += Array("</a>".utf8)
        let error = try #require(readError(bytes))
        #expect(error.message == "file is larger than the 32 MiB limit")
    }

    /// libxml2 compares each attribute with every earlier one: 10^6 of them took minutes.
    @Test func tooManyAttributesAreRefusedBeforeLibxml2SeesThem() throws {
        let bytes = domainWithManyAttributes(1_000_000)
        let error = try #require(readError(bytes))
        #expect(error.message == "element <disk> has 1000000 attributes, more than the \(XMLReader.maximumAttributes) accepted (libvirt's elements have a handful)")
        #expect(error.offset == "<domain type='kvm'>\n  <devices>\n    ".utf8.count)
    }

    @Test func attributesUpToTheLimitAreRead() throws {
        let names = (0..<XMLReader.maximumAttributes).map { "a\($0)" }
        let text = "<domain " + names.map { "\($0)=\"1>2\"" }.joined(separator: " ") + "><!-- <a b='1' c='2'> --><![CDATA[ <x y='1'> ]]></domain>"
        let (_, root) = try read(text)
        #expect(root.attributes.count == XMLReader.maximumAttributes)
        let over = try #require(readError("<domain " + (names + ["z"]).map { "\($0)='1'" }.joined(separator: " ") + "/>"))
        #expect(over.offset == 0)
        #expect(over.message.hasPrefix("element <domain> has \(XMLReader.maximumAttributes + 1) attributes"))
    }

    @Test(arguments: [
        "<domain type='kvm'>\n  <devices>\n    <disk\u{01} type='file'>\n    </disk>\n  </devices>\n</domain>\n",
        "<domain type='kvm'>\n  <devices\u{01}/>\n</domain>\n",
        "<domain\u{1F}>\n</domain>\n",
    ])
    func controlByteInAStartTagIsASyntaxError(_ text: String) throws {
        let error = try #require(readError(text))
        #expect(!error.message.contains("internal error"), "\(error.message)")
        #expect(error.offset == offset(of: "\u{01}", in: text) ?? offset(of: "\u{1F}", in: text), "\(error)")
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let depth = 100_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let error = try #require(readError(text))
        #expect(error.message.contains("depth"))
    }
}
