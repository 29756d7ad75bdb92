import PCIPlanSource

/// `pciplan report`: one self-contained HTML page — the fleet summary, then every domain with
/// its diagnostics and topology drawing (`SVGRenderer`).
///
/// Nothing is fetched: inline CSS and inline SVG only, no script, font, image or link to
/// elsewhere, and a Content-Security-Policy that forbids them, so the page is safe to open
/// from a CI artefact. Everything from the inputs (file names, messages, device names) is
/// escaped. No date or host is printed, so the same inputs give the same page.
public enum HTMLReportRenderer {
    /// The whole page: the summary, an index, and each domain's findings, drawing and headroom.
    public static func render(_ domains: [DomainReport], summary: CheckSummary, version: String) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>pciplan report: \(summary.files) file\(summary.files == 1 ? "" : "s")</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <h1>PCI topology report</h1>
            <p class="meta">\(summary.files) file\(summary.files == 1 ? "" : "s") checked by pciplan \(esc(version)) (libvirt 9.0 rules)</p>

            """
        out += summarySection(summary)
        out += index(domains)
        for (n, d) in domains.enumerated() { out += section(d, number: n + 1) }
        return out + "</body>\n</html>\n"
    }

    static func summarySection(_ s: CheckSummary) -> String {
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"counts\">\n"
        let rows: [(CheckedFile.Status, String)] = [
            (.clean, "clean"), (.warnings, "with warnings"), (.errors, "with errors"), (.unreadable, "unreadable"),
        ]
        for (status, label) in rows {
            out += "<tr><td><span class=\"status \(status.rawValue)\">\(label)</span></td><td class=\"n\">\(s.count(status))</td></tr>\n"
        }
        out += "<tr><td>PCI Express domains that cannot take another hot-plug</td><td class=\"n\">\(s.noFreeHotplugPort)</td></tr>\n"
        out += "</table>\n"
        let top = s.topIDs(10)
        if !top.isEmpty {
            out += "<h3>Top diagnostics</h3>\n<table class=\"ids\">\n<tr><th>ID</th><th>count</th><th>what it means</th></tr>\n"
            for (id, count) in top {
                let sev = s.severityByID[id]?.rawValue ?? "note"
                out += "<tr><td><code class=\"\(sev)\">\(esc(id))</code></td><td class=\"n\">\(count)</td><td>\(esc(DiagnosticDescriptions.byID[id] ?? ""))</td></tr>\n"
            }
            out += "</table>\n"
        }
        return out + "</section>\n"
    }

    static func index(_ domains: [DomainReport]) -> String {
        guard domains.count > 1 else { return "" }
        var out = "<nav>\n<h2>Domains</h2>\n<ol>\n"
        for (n, d) in domains.enumerated() {
            out += "<li><a href=\"#d\(n + 1)\">\(esc(d.checked.file))</a> <span class=\"status \(d.checked.status.rawValue)\">\(d.checked.status.rawValue)</span></li>\n"
        }
        return out + "</ol>\n</nav>\n"
    }

    static func section(_ d: DomainReport, number: Int) -> String {
        let f = d.checked
        var out = "<section class=\"domain\" id=\"d\(number)\">\n"
        out += "<h2><span class=\"status \(f.status.rawValue)\">\(f.status.rawValue)</span> \(esc(f.file))</h2>\n"
        if let m = d.machine { out += "<p class=\"meta\">machine <code>\(esc(m))</code></p>\n" }
        if f.diagnostics.isEmpty {
            out += "<p class=\"none\">no findings</p>\n"
        } else {
            out += "<ul class=\"diags\">\n"
            for diag in f.diagnostics { out += item(diag) }
            out += "</ul>\n"
        }
        if let svg = d.topology {
            out += "<figure>\n\(svg)<figcaption>PCI topology as libvirt 9.0 plans it</figcaption>\n</figure>\n"
        } else if f.status != .unreadable {
            out += "<p class=\"none\">no drawing: libvirt cannot plan this definition (see the errors above)</p>\n"
        }
        if let h = d.headroom { out += "<pre class=\"headroom\">\(esc(h))</pre>\n" }
        return out + "</section>\n"
    }

    static func item(_ d: LocatedDiagnostic) -> String {
        var out = "<li class=\"\(d.severity.rawValue)\">\(position(d.range))<b>\(d.severity.rawValue)</b>: \(esc(d.message)) <code>[\(esc(d.id))]</code>"
        let subs = d.notes.map { "\(position($0.range))note: \(esc($0.message))" }
            + d.fixIts.map { "\(position($0.range))fix: \(esc($0.message))\($0.replacement.map { " <code>\(esc($0))</code>" } ?? "")" }
        if !subs.isEmpty { out += "\n<ul>\n" + subs.map { "<li>\($0)</li>\n" }.joined() + "</ul>\n" }
        return out + "</li>\n"
    }

    static func position(_ r: LocatedRange?) -> String {
        guard let r, let l = r.start.line, let c = r.start.column else { return "" }
        return "<span class=\"pos\">\(l):\(c)</span> "
    }

    /// HTML text and attribute values: the drawing's XML escaping, line breaks kept (for
    /// the headroom's `<pre>`).
    static func esc(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { SVGRenderer.xml(String($0)) }.joined(separator: "\n")
    }

    static let css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #1a1a1a; background: #fafafa; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 0 0 8px; word-break: break-all; }
        h3 { font-size: 15px; }
        .meta { color: #555; margin: 0 0 12px; }
        section, nav { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
        table { border-collapse: collapse; }
        td, th { padding: 2px 12px 2px 0; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .status { display: inline-block; border-radius: 9px; padding: 0 8px; font-size: 12px; color: #fff; }
        .status.clean { background: #2e7d32; }
        .status.warnings { background: #b26a00; }
        .status.errors { background: #c62828; }
        .status.unreadable { background: #555; }
        code.error { color: #c62828; } code.warning { color: #b26a00; } code.note { color: #555; }
        ul.diags { padding-left: 20px; }
        ul.diags li.error > b { color: #c62828; }
        ul.diags li.warning > b { color: #b26a00; }
        ul.diags li.note > b { color: #555; }
        ul.diags ul { color: #444; }
        .pos { color: #777; font-family: monospace; }
        .none { color: #777; font-style: italic; }
        figure { margin: 12px 0; overflow-x: auto; }
        figcaption { color: #777; font-size: 12px; }
        pre.headroom { background: #f3f3f3; padding: 6px 8px; white-space: pre-wrap; }
        nav ol { columns: 2; }
        """
}
