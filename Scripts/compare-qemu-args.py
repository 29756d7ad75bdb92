#!/usr/bin/env python3
"""compare-qemu-args - pciplan's `--format qemu-args` against the real libvirt 9.0.

Usage: Scripts/compare-qemu-args.py [-v] [--cases DIR]... [--match RE] [--cache DIR] [--json FILE]
       Scripts/compare-qemu-args.py --record NAME CASE_DIR_OR_XML

For every case folder with an expected.xml (default: ../shared/conformance/libvirt-9.0/cases and
random-dev; ../shared/conformance/arm-dev with --cases) runs `pciplan plan --format qemu-args` and `libvirt-argv --devices` (virsh
domxml-to-native) on it -- every address is explicit there, so this checks rendering, not
planning -- and compares each PCI -device (one whose "addr" is a string), keyed by id (USB
companions by masterbus/firstport), on driver, id, bus, multifunction, addr, chassis, port,
bus_nr, chassis_nr (masterbus, firstport), including their order; also the device order.

Oracle limits and how they are handled:
  * domxml-to-native replaces each <interface> by a placeholder (qemuConnectDomainXMLToNative
    clears net definitions): interfaces lose address and user alias, get re-assigned, and may
    make libvirt add controllers.  So the other devices are compared on a copy without
    interfaces (both sides get it); interfaces on the full domain, by position, on driver and
    id (not when a user alias is involved: it is lost, and the others renumber);
  * <interface type='hostdev'> cases are skipped (the conversion garbles them);
  * on a virt domain with virtio-mmio devices, libvirt moves the virtio interfaces it re-places
    to virtio-mmio: pciplan gets a copy without interface addresses there, so it re-places them too;
  * PCI hostdevs get <driver name='vfio'/> in libvirt's copy (no VFIO on this host);
  * PCI-neutral host dependencies (numad, hugepages, firmware, secrets, TPM, guest CPU, TSC,
    egl-headless) are dropped from the copy both sides get, and so are SCSI hostdevs and
    vhost-user videos (slots stay empty, nothing moves, their drivers go unchecked).

--record NAME SRC writes Tests/PCIPlanTests/Fixtures/qemu/NAME/{input.xml,expected.args}: SRC
(or SRC/expected.xml) and libvirt's PCI -device objects reduced to those keys, one
`-device '<json>'` per line.  A domain with interfaces is recorded from a real start
(`libvirt-assign --start`, command line read from libvirt's QEMU log; missing disk images are
created for it and removed), checked against domxml-to-native for the other devices.
Exit: 0 all compared devices match (or recorded); 1 otherwise.
"""
import argparse, hashlib, json, os, re, shlex, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
TOPOLOGY = ["driver", "masterbus", "firstport", "port", "chassis", "chassis_nr", "bus_nr", "id",
            "bus", "multifunction", "addr"]


def oracle_input(text):
    """The copy libvirt converts: PCI hostdevs get the vfio backend written out."""
    def fix(m):
        return m.group(0) if "<driver" in m.group(2) else m.group(1) + "<driver name='vfio'/>" + m.group(2) + m.group(3)
    return re.sub(r"(<hostdev\b[^>]*\btype=['\"]pci['\"][^>]*>)(.*?)(</hostdev>)", fix, text, flags=re.S)


def topology(obj):  # the topology keys of one -device object, in the object's own order
    return {k: v for k, v in obj.items() if k in TOPOLOGY}


def key_of(obj):
    return obj["id"] if "id" in obj else "companion:%s/%s" % (obj.get("masterbus"), obj.get("firstport"))


def run(cmd, stdin=None, timeout=60):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def libvirt_devices(args, text):
    """libvirt's PCI -device objects (cached by the oracle input's hash), or an error string."""
    text = oracle_input(text)
    path = None
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
        path = os.path.join(args.cache, hashlib.sha1(text.encode()).hexdigest() + ".json")
        if os.path.exists(path):
            with open(path) as f:
                return pci_only(json.load(f))
    rc, out, err = run([args.oracle, "--devices", "-"], stdin=text)
    lines = [l for l in err.splitlines() if l.startswith("error")]
    result = ({"devices": [json.loads(l) for l in out.splitlines() if l.startswith("{")]} if rc == 0
              else {"error": (lines[-1] if lines else err.strip())[:200]})
    if path and ("devices" in result or "Disconnected" not in result["error"]):
        with open(path, "w") as f:
            json.dump(result, f)
    return pci_only(result)


def pci_only(result):  # a PCI -device has a string addr (pc-dimm's addr is a number)
    return {"devices": [o for o in result["devices"] if isinstance(o.get("addr"), str)]} if "devices" in result else result


def pciplan_devices(args, xml_path):
    rc, out, err = run([args.pciplan, "plan", "--format", "qemu-args", xml_path])
    if rc != 0:
        return {"error": (err.strip().splitlines() or ["exit %d" % rc])[0][:200]}
    objs = []
    for line in out.splitlines():
        toks = shlex.split(line)
        if len(toks) == 2 and toks[0] == "-device":
            objs.append(json.loads(toks[1]))
    return {"devices": objs}


# Host-dependent, PCI-neutral parts libvirt needs this host to provide (numad, hugetlbfs,
# firmware descriptors, secrets, a TPM, CPU features); dropped from the copy both sides get.
HOST_BITS = [
    (r"<numatune>.*?</numatune>", ""), (r"placement=(['\"])auto\1", "placement='static'"),
    (r"<hugepages>.*?</hugepages>|<hugepages/>", ""), (r"<pagesize\b[^>]*>[^<]*</pagesize>", ""),
    (r"(<os\b[^>]*?)\s+firmware=(['\"])[^'\"]*\2", r"\1"), (r"<firmware>.*?</firmware>", ""),
    (r"<loader\b[^>]*/>|<loader\b.*?</loader>", ""), (r"<nvram\b[^>]*/>|<nvram\b.*?</nvram>", ""),
    (r"<auth\b.*?</auth>", ""), (r"<encryption\b.*?</encryption>", ""), (r"<tpm\b.*?</tpm>", ""),
    (r"<timer\s+name=(['\"])tsc\1[^>]*/>", ""), (r"<nodemask>[^<]*</nodemask>", ""),
    (r"<graphics\s+type=(['\"])egl-headless\1.*?</graphics>|<graphics\s+type=(['\"])egl-headless\2[^>]*/>", ""),
    # guest CPU models and features the host lacks (kept when the <cpu> carries NUMA cells)
    (r"<cpu\b(?:[^>]*/>|(?:(?!<numa).)*?</cpu>)", ""),
    # host devices that need this host's hardware; removing one frees its slot and moves nothing
    # (every address is explicit), but its own driver (vhost-scsi-pci, vhost-user-vga) is not compared
    (r"<hostdev\b[^>]*\btype=(['\"])(?:scsi|scsi_host)\1.*?</hostdev>", ""),
    (r"<video>(?:(?!</video>).)*?<driver\b[^>]*\bname=(['\"])vhostuser\1.*?</video>", ""),
]


def host_neutral(text):
    for pattern, repl in HOST_BITS:
        text = re.sub(pattern, repl, text, flags=re.S)
    return text


IFACE_RE = re.compile(r"<interface\b(?:[^>]*/>|.*?</interface>)", re.S)
IFACE_ADDR_RE = re.compile(r"\s*<address\b[^>]*/>")


def pciplan_on_text(args, text):
    fd, path = tempfile.mkstemp(suffix=".xml", prefix="compare-qemu-args-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return pciplan_devices(args, path)
    finally:
        os.unlink(path)


def compare_devices(want_objs, have_objs, results):
    got = {key_of(o): o for o in have_objs}
    for o in want_objs:
        k = key_of(o)
        want = topology(o)
        have = got.pop(k, None)
        ok = have is not None and have == want and list(have) == list(want)
        why = None if ok else ("missing" if have is None else "key order differs" if have == want else "differs")
        results.append((k, why, want, have))
    for k, o in got.items():
        results.append((k, "extra in pciplan", None, o))


def compare_nets(lv_nets, pp_nets, results):
    """Interfaces, by position: driver always; id only when no interface has a user alias
    (ua-...): domxml-to-native drops it with the rest of the interface definition, which also
    renumbers the other interfaces (a real start of <ua-first, plain> gives ua-first, net0;
    domxml-to-native gives net0, net1)."""
    user_alias = any(str(o.get("id")).startswith("ua-") for o in pp_nets)
    for n in range(max(len(lv_nets), len(pp_nets))):
        want = lv_nets[n] if n < len(lv_nets) else None
        have = pp_nets[n] if n < len(pp_nets) else None
        k = "interface #%d" % n
        if want is None or have is None:
            results.append((k, "missing" if have is None else "extra in pciplan", want and topology(want), have))
            continue
        w = {"driver": want["driver"], "id": want.get("id")}
        h = {"driver": have.get("driver"), "id": have.get("id")}
        if user_alias:
            w["id"] = h["id"] = "(not compared: user alias)"
        results.append((k, None if w == h else "differs", w, h))


def compare_case(args, name, xml_path, text):
    """Returns (status, reason, [(key, why-not-equal or None, libvirt's, pciplan's)], order_ok)."""
    if re.search(r"<interface\b[^>]*\btype=['\"]hostdev['\"]", text):
        return "skip", "has <interface type='hostdev'> (domxml-to-native garbles it)", [], None
    original, text = text, host_neutral(text)
    bare = IFACE_RE.sub("", text)
    lv = libvirt_devices(args, bare)
    if "error" in lv:
        return "skip", "libvirt: " + lv["error"], [], None
    pp = pciplan_devices(args, xml_path) if bare == original else pciplan_on_text(args, bare)
    if "error" in pp:
        return "fail", "pciplan: " + pp["error"], [("-", "pciplan failed", o, None) for o in lv["devices"]], False
    results = []
    compare_devices(lv["devices"], pp["devices"], results)
    order_ok = [key_of(o) for o in lv["devices"]] == [key_of(o) for o in pp["devices"]]
    if bare != text:
        lv_full = libvirt_devices(args, text)
        if "virtio-mmio" in text:
            # libvirt re-places the interfaces it cleared, and virtio ones go to virtio-mmio when
            # another device uses it: pciplan re-places them too, from a copy without their addresses.
            pp_full = pciplan_on_text(args, IFACE_RE.sub(lambda m: IFACE_ADDR_RE.sub("", m.group(0)), text))
        else:
            pp_full = pciplan_devices(args, xml_path) if text == original else pciplan_on_text(args, text)
        if "error" in lv_full or "error" in pp_full:
            results.append(("interfaces", "not compared: " + (lv_full.get("error") or pp_full.get("error")), None, None))
        else:
            plain = {key_of(o) for o in pp["devices"]}
            compare_nets([o for o in lv_full["devices"] if "netdev" in o],
                         [o for o in pp_full["devices"] if key_of(o) not in plain and not str(o.get("id", "")).startswith("pci.")],
                         results)
    bad = [r for r in results if r[1]]
    return ("pass" if not bad else "fail"), ("" if not bad else "%d device(s) differ" % len(bad)), results, order_ok


def cases(args):
    dirs = args.cases or [os.path.join(SHARED, "conformance/libvirt-9.0/cases"),
                          os.path.join(SHARED, "conformance/random-dev")]
    for d in dirs:
        for n in sorted(os.listdir(d)):
            c = os.path.join(d, n)
            if os.path.isfile(os.path.join(c, "expected.xml")) and (not args.match or re.search(args.match, n)):
                yield n, c


def shell_quote(s):  # as libvirt's virBufferEscapeShell (and pciplan) quote a -device value
    return "'" + s.replace("'", "'\\''") + "'"


def started_devices(args, text):
    """The PCI -device objects of a real start (libvirt-assign --start), read from the QEMU
    log libvirt writes; disk image files the domain names are created (1 MiB) and removed."""
    created = []
    for path in re.findall(r"<source\s+file=['\"]([^'\"]+)['\"]", text):
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.truncate(1 << 20)
            created.append(path)
    name = re.search(r"<name>([^<]+)</name>", text).group(1)
    before = set(os.listdir(args.qemu_logs))
    try:
        rc, out, err = run([os.path.join(os.path.dirname(args.oracle), "libvirt-assign"), "--start", "-"], stdin=text, timeout=120)
    finally:
        for path in created:
            os.unlink(path)
    logs = [os.path.join(args.qemu_logs, l) for l in set(os.listdir(args.qemu_logs)) - before
            if l.startswith(name + "-oracle-")]
    logtext = ""
    for log in logs:  # ours: libvirt-assign named the domain uniquely
        with open(log) as f:
            logtext = f.read()
        os.unlink(log)
    if rc != 0 or len(logs) != 1:
        sys.exit("compare-qemu-args: libvirt-assign --start failed (exit %d): %s" % (rc, err.strip()[-300:]))
    cmdline = next(l for l in logtext.replace("\\\n", " ").splitlines() if "qemu-system" in l and "-device" in l)
    toks = shlex.split(cmdline)
    objs = [json.loads(toks[i + 1]) for i, t in enumerate(toks[:-1]) if t == "-device" and toks[i + 1].startswith("{")]
    return [o for o in objs if isinstance(o.get("addr"), str)]


def record(args):
    src = args.record[1]
    if os.path.isdir(src):
        src = os.path.join(src, "expected.xml")
    text = open(src).read()
    lv = libvirt_devices(args, IFACE_RE.sub("", text))
    if "error" in lv:
        sys.exit("compare-qemu-args: libvirt: " + lv["error"])
    devices = lv["devices"]
    if IFACE_RE.search(text):
        devices = started_devices(args, text)
        plain = {key_of(o): topology(o) for o in lv["devices"]}
        again = {key_of(o): topology(o) for o in devices if key_of(o) in plain}
        if again != plain:
            sys.exit("compare-qemu-args: the started domain's devices differ from domxml-to-native's")
    out = os.path.join(args.fixtures, args.record[0])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "input.xml"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "expected.args"), "w") as f:
        for o in devices:
            f.write("-device " + shell_quote(json.dumps(topology(o), separators=(",", ":"))) + "\n")
    print("recorded %s (%d devices) from %s" % (out, len(devices), src))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", action="store_true", help="list every differing device")
    ap.add_argument("--cases", action="append", help="folder of case folders (repeatable)")
    ap.add_argument("--match", help="only cases whose name matches this regex")
    ap.add_argument("--pciplan", default=os.path.join(ROOT, ".build-qemu/debug/pciplan"))
    ap.add_argument("--oracle", default=os.path.join(SHARED, "oracle/libvirt-argv"))
    ap.add_argument("--cache", help="cache libvirt's answers in this folder")
    ap.add_argument("--json", help="write a machine-readable report here")
    ap.add_argument("--record", nargs=2, metavar=("NAME", "SRC"), help="record a golden case")
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "Tests/PCIPlanTests/Fixtures/qemu"))
    ap.add_argument("--qemu-logs", default="/var/log/libvirt/qemu", help="where libvirt writes QEMU logs")
    args = ap.parse_args()
    if args.record:
        return record(args)
    total = matched = nets = nets_ok = order_ok = order_n = 0
    counts = {"pass": 0, "fail": 0, "skip": 0}
    report = []
    for name, c in cases(args):
        xml_path = os.path.join(c, "expected.xml")
        text = open(xml_path).read()
        status, reason, results, ordered = compare_case(args, name, xml_path, text)
        counts[status] += 1
        for k, why, want, _ in results:
            if k.startswith("interface #"):
                nets += want is not None
                nets_ok += not why
            else:
                total += want is not None
                matched += not why
        if ordered is not None:
            order_n += 1
            order_ok += ordered
        report.append({"case": name, "status": status, "reason": reason,
                       "differences": [{"key": k, "why": w, "libvirt": a, "pciplan": b} for k, w, a, b in results if w]})
        if status != "pass":
            print("%s %s: %s" % (status.upper(), name, reason))
        if args.v:
            for k, why, want, have in results:
                if why:
                    print("    %s: %s\n      libvirt: %s\n      pciplan: %s" % (k, why, json.dumps(want), json.dumps(have)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print("cases: %(pass)d passed, %(fail)d failed, %(skip)d skipped" % counts)
    print("devices: %d of %d match libvirt on all topology keys" % (matched, total))
    print("interfaces: %d of %d match libvirt on driver and id" % (nets_ok, nets))
    print("device order: same as libvirt in %d of %d compared cases" % (order_ok, order_n))
    return 0 if counts["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
