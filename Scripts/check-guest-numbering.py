#!/usr/bin/env python3
"""check-guest-numbering - check the guest-numbering rules against the recorded guests.

Usage: Scripts/check-guest-numbering.py [-v] [--table] [CASE...]

Reads Tests/PCIPlanTests/Fixtures/guest/<case>/ (see Scripts/record-guest-goldens): every
X.stored.xml (libvirt's stored domain) beside X.guest.json / X.guest-ovmf.json (what the
guest saw) and checks, for each such recording:

  bus     every libvirt bus pci.N gets the guest number the depth-first rule predicts:
          the root bus is 0; walk it in (slot, function) order; every bridge-type controller
          (pci-bridge, pcie-root-port, pcie-switch-upstream-port, pcie-switch-downstream-port,
          dmi-to-pci-bridge, pcie-to-pci-bridge) takes the next number and its bus is walked
          at once (depth first); a pcie-expander-bus is numbered <target busNr>, a
          pci-expander-bus busNr + 1 (QEMU's pxb puts an internal pci-bridge at busNr:00.0
          and the devices libvirt plugs into the expander sit behind it), and the expander's
          subtree is walked the same way counting on from there.  Observed: the secondary bus
          number the guest firmware wrote into each bridge's config space, read at the guest
          address of the bridge (its parent's observed number, slot, function); for
          pci-expander-bus the internal bridge's; for pcie-expander-bus busNr when the guest
          has functions there.  (guest-probe's own qdev_bus_numbers takes busNr for both
          expander kinds; -v notes where it differs.)
  span    every bridge's subordinate bus number is the highest number in its subtree.
  addr    every PCI device of the stored XML has a function of its class at
          (guest number of its bus):slot.function; where guest-probe attached a libvirt
          alias (qdev_id) it is at that address; NICs are matched by MAC.
  path    every NIC's ID_NET_NAME_PATH is en p<guest bus> s<slot> [f<fn>] (f when fn > 0 or
          the stored address has multifunction='on').
  slot    every NIC's ID_NET_NAME_SLOT equals the slot-name model below (ens<N>[f<fn>] or none).
  disk    every virtio disk's by-path is pci-<its guest address>.

Slot-name model (what QEMU 7.2's ACPI and the kernel put in /sys/bus/pci/slots, and what
systemd v252 makes of it), derived from these recordings and checked against every
recording's slot directories (positive-integer names) and every NIC's ID_NET_NAME_SLOT:
  * hot-pluggable slots per bus: i440fx root bus (pc pci-root) 2..31; behind a pci-bridge,
    pcie-to-pci-bridge or dmi-to-pci-bridge 0..31; behind a pcie-root-port or
    pcie-switch-downstream-port slot 0 only; none on the q35 root bus (pcie-root), on a
    switch's upstream-port bus, or anywhere below a pc pci-expander-bus; a slot holding a
    bridge or an expander bus is never hot-pluggable (no directory).
  * the kernel names a slot by its slot number; a number an earlier bus already registered
    gets a -k suffix (buses register in guest bus order: the root bus first).  systemd only
    uses directory names that are positive integers, so slot 0 (every root/downstream port)
    never names a NIC, and behind a bridge only the slot numbers no earlier bus has give
    ens<slot>.
  * systemd walks from the NIC up its bridges and takes the first positive plain-named slot
    whose address matches; a match on a bridge (not the NIC itself) counts only for a
    multifunction NIC (NAMING_BRIDGE_MULTIFUNCTION_SLOT), otherwise no slot name at all.

Pairs (old.* / new.*): lists the devices whose libvirt address is unchanged but whose
guest address changed (what `diff` reports as guestRenamed), and every NIC name change.

--table prints the summary table used in the fixtures' README.md.
Exit 0 when every check holds, 1 otherwise (each failure is printed).
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(os.path.dirname(HERE), "Tests", "PCIPlanTests", "Fixtures", "guest")

BRIDGES = {"pci-bridge", "pcie-root-port", "pcie-switch-upstream-port",
           "pcie-switch-downstream-port", "dmi-to-pci-bridge", "pcie-to-pci-bridge"}
EXPANDERS = {"pci-expander-bus", "pcie-expander-bus"}
CLASS = {"interface": "0x02", "disk": "0x01", "bridge": "0x0604", "pci-expander-bus": "0x0600",
         "pcie-expander-bus": "0x0600", "usb-controller": "0x0c03", "scsi-controller": "0x01",
         "memballoon": "0x00ff"}


def pci_addr(el):
    a = el.find("address")
    if a is None or a.get("type") != "pci":
        return None
    return (int(a.get("bus"), 16), int(a.get("slot"), 16), int(a.get("function", "0"), 16),
            a.get("multifunction") == "on")


class Domain:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.machine = root.find("os/type").get("machine")
        self.q35 = "q35" in self.machine
        self.ctl = {}        # index -> (model, addr, busNr)
        self.dev = {}        # identity -> (kind, addr)
        self.nic_model = {}  # mac -> model
        devs = root.find("devices")
        for c in devs.findall("controller"):
            t = c.get("type")
            idx = int(c.get("index", "0"))
            a = pci_addr(c)
            if t == "pci":
                tgt = c.find("target")
                busnr = int(tgt.get("busNr")) if tgt is not None and tgt.get("busNr") else None
                self.ctl[idx] = (c.get("model"), a, busnr)
                if idx > 0:
                    self.dev[f"pci.{idx}"] = (c.get("model"), a)
            elif a is not None:
                alias = {"usb": "usb" if idx == 0 else f"usb{idx}", "scsi": f"scsi{idx}",
                         "virtio-serial": f"virtio-serial{idx}"}.get(t)
                if alias:
                    self.dev[alias] = (f"{t}-controller", a)
        for i in devs.findall("interface"):
            mac = i.find("mac").get("address").lower()
            m = i.find("model")
            self.nic_model[mac] = m.get("type") if m is not None else None
            a = pci_addr(i)
            if a:
                self.dev["mac:" + mac] = ("interface", a)
        for d in devs.findall("disk"):
            t = d.find("target")
            a = pci_addr(d)
            if a and t.get("bus") == "virtio":
                name = t.get("dev")
                idx = 0
                for ch in name[2:]:
                    idx = idx * 26 + (ord(ch) - ord("a") + 1)
                self.dev[f"virtio-disk{idx - 1}"] = ("disk", a)
        mb = devs.find("memballoon")
        if mb is not None and pci_addr(mb):
            self.dev["balloon0"] = ("memballoon", pci_addr(mb))

    def guest_numbers(self):
        """the depth-first rule: libvirt bus index -> guest bus number"""
        children = defaultdict(list)
        for idx, (model, a, _) in self.ctl.items():
            if idx > 0 and a is not None:
                children[a[0]].append((a[1], a[2], idx))
        num = {0: 0}
        span = {}

        def walk(bus, counter):
            for _, _, idx in sorted(children[bus]):
                if self.ctl[idx][0] in BRIDGES:
                    counter += 1
                    num[idx] = counter
                    counter = walk(idx, counter)
                    span[idx] = counter
            return counter
        walk(0, 0)
        for slot, fn, idx in sorted(children[0]):
            if self.ctl[idx][0] in EXPANDERS:
                # pxb-pcie: the expander's bus is busNr itself; pxb (pci-expander-bus): QEMU puts
                # an internal pci-bridge at busNr:00.0 and libvirt's bus is behind it
                num[idx] = self.ctl[idx][2] + (1 if self.ctl[idx][0] == "pci-expander-bus" else 0)
                span[idx] = walk(idx, num[idx])
        return num, span

    def observed_numbers(self, guest):
        """libvirt bus index -> the number the guest firmware gave it, read from config space:
        a bridge's secondary bus number, found at (its parent's observed number, slot, fn);
        pci-expander-bus: the secondary bus of the internal bridge at busNr:00.0;
        pcie-expander-bus: busNr when the guest has functions on that bus"""
        by_addr = {p["addr"]: p for p in guest["pci"]}
        obs = {0: 0}
        todo = sorted(i for i in self.ctl if i > 0)
        changed = True
        while changed:
            changed = False
            for idx in todo:
                if idx in obs:
                    continue
                model, a, busnr = self.ctl[idx]
                if a is None or a[0] not in obs or obs[a[0]] is None:
                    continue
                fn = by_addr.get(f"0000:{obs[a[0]]:02x}:{a[1]:02x}.{a[2]}")
                if model == "pci-expander-bus":
                    inner = by_addr.get(f"0000:{busnr:02x}:00.0")
                    obs[idx] = inner.get("secondary") if inner else None
                elif model == "pcie-expander-bus":
                    obs[idx] = busnr if any(p["bus"] == busnr for p in guest["pci"]) else None
                else:
                    obs[idx] = fn.get("secondary") if fn else None
                changed = True
        return obs

    def guest_addr(self, a):
        num, _ = self.guest_numbers()
        if a[0] not in num:
            return None
        return f"0000:{num[a[0]]:02x}:{a[1]:02x}.{a[2]}"

    def bus_kind(self, bus):
        if bus == 0:
            return "pcie-root" if self.q35 else "pci-root"
        return self.ctl[bus][0]


def hotplug_slots(dom):
    """the slot model: guest bus number -> the slot numbers the guest gets a hotplug slot
    directory for (ACPI PCI hotplug, QEMU 7.2 defaults); a slot holding a bridge or an
    expander is never hot-pluggable"""
    num, _ = dom.guest_numbers()
    occupied_by_bridge = defaultdict(set)
    for i, (m, a, _) in dom.ctl.items():
        if i > 0 and a is not None and (m in BRIDGES or m in EXPANDERS):
            occupied_by_bridge[a[0]].add(a[1])
    def under_pxb(idx):
        while idx != 0:
            model, a, _ = dom.ctl[idx]
            if model == "pci-expander-bus":
                return True
            idx = a[0]
        return False
    out = {}
    for idx, gb in num.items():
        kind = dom.bus_kind(idx)
        if under_pxb(idx):
            cand = []                               # QEMU's ACPI describes no hotplug below a pxb
        elif kind == "pci-root":
            cand = range(2, 32)                     # 00:00 host bridge, 00:01 PIIX3
        elif kind in ("pci-bridge", "pcie-to-pci-bridge", "dmi-to-pci-bridge"):
            cand = range(0, 32)
        elif kind in ("pcie-root-port", "pcie-switch-downstream-port"):
            cand = [0]
        else:                                       # pcie-root, upstream ports, expanders
            cand = []
        out[gb] = [n for n in cand if n not in occupied_by_bridge[idx]]
    return out


def plain_slot_names(dom):
    """(guest bus, slot) -> True when the kernel names that slot by its bare number: slots
    register in guest bus order, a number already taken by an earlier bus gets a -k suffix"""
    taken, plain = set(), {}
    for gb, slots in sorted(hotplug_slots(dom).items()):
        for n in slots:
            plain[(gb, n)] = n not in taken
            taken.add(n)
    return plain


def slot_model(dom, guest, nic_pci):
    """predicted ID_NET_NAME_SLOT slot number (or None) for the NIC at guest address nic_pci:
    systemd v252 walks from the NIC up its bridges; the first slot directory with a positive
    integer name whose address matches wins, but a match on a bridge only counts for a
    multifunction NIC"""
    plain = plain_slot_names(dom)
    by_addr = {p["addr"]: p for p in guest["pci"]}
    nic = by_addr[nic_pci]
    for dev in [nic_pci] + list(reversed(nic["parents"])):
        b, s = int(dev[5:7], 16), int(dev[8:10], 16)
        if s > 0 and plain.get((b, s)):
            if dev != nic_pci and not nic["multifunction"]:
                return None
            return s
    return None


def check_slot_dirs(dom, guest, bad):
    """the model's positive plain-named slots are exactly the guest's"""
    plain = {k for k, v in plain_slot_names(dom).items() if v and k[1] > 0}
    seen = set()
    for sl in guest["slots"]:
        if sl["name"].isdigit() and int(sl["name"]) > 0:
            b, s = int(sl["address"][5:7], 16), int(sl["address"][8:10], 16)
            seen.add((b, s))
            if int(sl["name"]) != s:
                bad(f"slot directory {sl['name']} at {sl['address']}: name is not the slot number")
    for k in sorted(plain - seen):
        bad(f"slot model: {k[0]:02x}:{k[1]:02x} named {k[1]}, guest has no such slot directory")
    for k in sorted(seen - plain):
        bad(f"guest slot directory {k[1]} at {k[0]:02x}:{k[1]:02x}, slot model has none")


def fn_suffix(gaddr, a):
    f = int(gaddr[11])
    return f"f{f}" if (f > 0 or a[3]) else ""


def expected_path(gaddr, a):
    b, s = int(gaddr[5:7], 16), int(gaddr[8:10], 16)
    return f"enp{b}s{s}{fn_suffix(gaddr, a)}"


def check_one(case, stem, fw_file, verbose, problems, table):
    d = os.path.join(CASES, case)
    stored = os.path.join(d, f"{stem}stored.xml")
    dom = Domain(stored)
    g = json.load(open(os.path.join(d, fw_file)))
    where = f"{case}/{fw_file}"

    def bad(msg):
        problems.append(f"{where}: {msg}")

    num, span = dom.guest_numbers()
    seen_nums = dom.observed_numbers(g)
    over = sorted(f"pci.{i}→{n}" for i, n in num.items() if n > 255)
    if over:
        # more buses than a PCI domain has: the firmware cannot number them
        by_addr = {p["addr"]: p for p in g["pci"]}
        nets = {n["mac"].lower() for n in g["net"]}
        gone = []
        for k, (kind, a) in sorted(dom.dev.items()):
            ga = dom.guest_addr(a)
            p = by_addr.get(ga)
            want = CLASS.get(kind, CLASS.get("bridge" if kind in BRIDGES else kind))
            if p is None or (want and not p["class"].startswith(want)):
                gone.append(f"{k} (no function at {ga})")
            elif kind == "interface" and k[4:] not in nets:
                gone.append(f"{k} (function at {ga}, no network interface)")
            elif kind in BRIDGES and p.get("secondary") != num.get(int(k[4:])):
                gone.append(f"{k} (at {ga}, secondary/subordinate {p.get('secondary')}/{p.get('subordinate')})")
        print(f"  {where}: OVERFLOW: the rule needs bus numbers past 255 ({', '.join(over)}); "
              f"what the guest lacks: {'; '.join(gone) or 'nothing'}")
        table.append((case, stem, fw_file, dom, {f"pci.{i}": n for i, n in seen_nums.items() if i > 0},
                      [], g))
        return
    obs = {f"pci.{i}": n for i, n in seen_nums.items() if i > 0}
    for idx, n in sorted(num.items()):
        if idx == 0:
            continue
        o = seen_nums.get(idx)
        if o != n:
            bad(f"bus pci.{idx} ({dom.ctl[idx][0]}): rule {n}, guest {o}")
    for idx, o in seen_nums.items():
        if idx not in num and o is not None:
            bad(f"bus pci.{idx}: guest {o}, rule has none")
    for k, v in g["qdev_bus_numbers"].items():
        if k.startswith("pci.") and k != "pci.0" and obs.get(k) != v and verbose:
            print(f"  {where}: note: guest-probe's qdev_bus_numbers says {k}={v}, config space walk {obs.get(k)}")
    by_addr = {p["addr"]: p for p in g["pci"]}
    for idx, (model, a, _) in dom.ctl.items():
        if idx in span and model in BRIDGES:
            ga = dom.guest_addr(a)
            p = by_addr.get(ga)
            if p is None or p.get("secondary") != num[idx] or p.get("subordinate") != span[idx]:
                bad(f"pci.{idx} at {ga}: rule secondary/subordinate {num[idx]}/{span[idx]}, guest "
                    f"{(p or {}).get('secondary')}/{(p or {}).get('subordinate')}")
    # functions by alias
    seen = 0
    for p in g["pci"]:
        q = p.get("qdev_id")
        if not q or q not in dom.dev:
            continue
        seen += 1
        ga = dom.guest_addr(dom.dev[q][1])
        if ga != p["addr"]:
            bad(f"{q}: rule {ga}, guest {p['addr']}")
    # every stored PCI device exists at its predicted guest address, with a fitting class
    # (this also covers functions guest-probe could not attach an alias to, e.g. below a pxb)
    for k, (kind, a) in sorted(dom.dev.items()):
        ga = dom.guest_addr(a)
        p = by_addr.get(ga)
        want = CLASS.get(kind, CLASS.get("bridge" if kind in BRIDGES else kind))
        if p is None:
            bad(f"{k} ({kind}): nothing at its rule address {ga}")
        elif want and not p["class"].startswith(want):
            bad(f"{k} ({kind}): the function at {ga} has class {p['class']}, expected {want}…")
    for p in g["pci"]:
        q = p.get("qdev_id")
        if q and q not in dom.dev and not q.startswith("net"):
            if verbose:
                print(f"  {where}: no alias match for {q} at {p['addr']}")
    check_slot_dirs(dom, g, bad)
    # NICs
    rows = []
    for n in g["net"]:
        key = "mac:" + n["mac"].lower()
        if key not in dom.dev:
            bad(f"NIC {n['mac']} not in the stored XML")
            continue
        a = dom.dev[key][1]
        ga = dom.guest_addr(a)
        if ga != n["pci"]:
            bad(f"NIC {n['mac']}: rule {ga}, guest {n['pci']}")
        ep = expected_path(n["pci"], a)
        if n["ID_NET_NAME_PATH"] != ep:
            bad(f"NIC {n['mac']}: path rule {ep}, guest {n['ID_NET_NAME_PATH']}")
        sm = slot_model(dom, g, n["pci"])
        es = f"ens{sm}{fn_suffix(n['pci'], a)}" if sm not in (None, "?") else None
        if es != n["ID_NET_NAME_SLOT"]:
            bad(f"NIC {n['mac']} at {n['pci']} on {dom.bus_kind(a[0])}: slot model {es}, "
                f"guest {n['ID_NET_NAME_SLOT']} ({n.get('slot_note')})")
        rows.append((n["mac"], dom.nic_model.get(n["mac"].lower()), f"pci.{a[0]}", dom.bus_kind(a[0]),
                     n["pci"], n["ID_NET_NAME_PATH"], n["ID_NET_NAME_SLOT"], n["name_policy"]))
    for disk in g["disks"]:
        p = by_addr.get(disk["pci"], {})
        if p.get("qdev_id", "").startswith("virtio-disk") and disk.get("by_path") != "pci-" + disk["pci"]:
            bad(f"disk {disk['name']}: by_path {disk.get('by_path')}")
    table.append((case, stem, fw_file, dom, obs, rows, g))
    if verbose:
        print(f"  {where}: {len(num) - 1} buses, {seen} aliased functions, {len(rows)} NICs checked")


def pair_report(case, out):
    d = os.path.join(CASES, case)
    old, new = Domain(os.path.join(d, "old.stored.xml")), Domain(os.path.join(d, "new.stored.xml"))
    go = json.load(open(os.path.join(d, "old.guest.json")))
    gn = json.load(open(os.path.join(d, "new.guest.json")))
    renamed, moved = [], []
    for k, (kind, a) in sorted(old.dev.items()):
        if k not in new.dev:
            continue
        b = new.dev[k][1]
        oga, nga = old.guest_addr(a), new.guest_addr(b)
        if a[:3] == b[:3] and oga != nga:
            renamed.append(f"{k} ({kind}) libvirt {a[0]:02x}:{a[1]:02x}.{a[2]} guest {oga} -> {nga}")
        elif a[:3] != b[:3]:
            moved.append(f"{k} ({kind}) libvirt {a[0]:02x}:{a[1]:02x}.{a[2]} -> {b[0]:02x}:{b[1]:02x}.{b[2]}, "
                         f"guest {oga} -> {nga}")
    names = []
    on = {n["mac"]: n for n in go["net"]}
    for n in gn["net"]:
        o = on.get(n["mac"])
        if o is None:
            names.append(f"{n['mac']} new: {n['name_policy']} (path {n['ID_NET_NAME_PATH']})")
        elif (o["ID_NET_NAME_PATH"], o["ID_NET_NAME_SLOT"]) != (n["ID_NET_NAME_PATH"], n["ID_NET_NAME_SLOT"]):
            names.append(f"{n['mac']}: {o['ID_NET_NAME_PATH']}/{o['ID_NET_NAME_SLOT']} -> "
                         f"{n['ID_NET_NAME_PATH']}/{n['ID_NET_NAME_SLOT']} (policy {o['name_policy']} -> {n['name_policy']})")
    od = {x["pci"]: x for x in go["disks"]}
    out.append((case, renamed, moved, names))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--table", action="store_true")
    args = ap.parse_args()
    cases = args.cases or sorted(c for c in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, c)))
    problems, table, pairs = [], [], []
    for c in cases:
        d = os.path.join(CASES, c)
        for stem in ("", "old.", "new."):
            for fw in ("guest.json", "guest-ovmf.json"):
                if os.path.exists(os.path.join(d, stem + fw)) and os.path.exists(os.path.join(d, stem + "stored.xml")):
                    check_one(c, stem, stem + fw, args.verbose, problems, table)
                err = os.path.join(d, stem + fw[:-len(".json")] + ".err")
                if os.path.exists(err):
                    table.append((c, stem, "ovmf" if "ovmf" in fw else "seabios", None, None, None,
                                  open(err).read().strip()))
        if os.path.exists(os.path.join(d, "old.guest.json")) and os.path.exists(os.path.join(d, "new.guest.json")):
            pair_report(c, pairs)
    if args.table:
        print_table(table, pairs)
    for case, renamed, moved, names in pairs:
        print(f"pair {case}: {len(renamed)} guest renames with unchanged libvirt address")
        for r in renamed:
            print(f"  renamed  {r}")
        for m in moved:
            print(f"  moved    {m}")
        for n in names:
            print(f"  nic      {n}")
    for p in problems:
        print("FAIL", p)
    n = sum(1 for t in table if t[3] is not None)
    print(f"{n} recordings checked ({len(table) - n} no-boot verdicts listed), {len(problems)} problems")
    return 1 if problems else 0


SHORT = {"pci-root": "root", "pcie-root": "pcie.0", "pcie-root-port": "root port",
         "pci-bridge": "pci-bridge", "pcie-to-pci-bridge": "pcie-to-pci", "dmi-to-pci-bridge": "dmi",
         "pcie-switch-downstream-port": "downstream", "pci-expander-bus": "pxb",
         "pcie-expander-bus": "pxb-pcie"}


def print_table(table, pairs):
    print("| case | fw | libvirt bus → guest bus | NICs: model on bus kind: ID_NET_NAME_PATH / _SLOT → NamePolicy |")
    print("|---|---|---|---|")
    for case, stem, fw, dom, obs, rows, g in sorted(table, key=lambda t: (t[0].startswith("pair-"), t[0], t[1] == "new.", "ovmf" in t[2])):
        if dom is None:
            print(f"| {case} | {fw} | no boot: `{g}` | – |")
            continue
        def busno(k):
            return int(k.split(".")[1])
        buses = ", ".join(f"{k}→{'none' if v is None else v}" for k, v in sorted(obs.items(), key=lambda kv: busno(kv[0]))
                          if busno(k) > 0)
        nics = "; ".join(f"{m} on {SHORT.get(kind, kind)}: {p} / {s or '–'} → {pol}"
                         for _, m, _, kind, _, p, s, pol in rows)
        print(f"| {case}{'/' + stem.rstrip('.') if stem else ''} | {g['firmware']} | {buses or '–'} | {nics or '–'} |")
    print()


if __name__ == "__main__":
    sys.exit(main())
