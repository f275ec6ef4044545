#!/usr/bin/env python3
"""Print the results of `cargo bench --bench wire` as Markdown tables.

Reads criterion's `<target>/criterion/<group>/<peer>/<frame>/new/` files
(`benchmark.json` names the benchmark, `estimates.json` holds the median) and
prints, for each group (`headers`, `checksums`, `checksum_1480`), the median
time in ns of every peer on every frame and the ratio synack / fastest other
peer: at or below 1.00 synack is at least as fast as every peer.

    cargo bench --bench wire
    python3 benches/table.py            # or: benches/table.py path/to/target

The target directory is the argument, else $CARGO_TARGET_DIR, else ./target.
"""

import json
import os
import sys
from pathlib import Path

GROUPS = ["headers", "checksums", "checksum_1480"]
FRAMES = ["syn74", "tcp1514", "arp60", "udp106", "udp1514", "1480"]
PEERS = ["synack", "smoltcp", "etherparse"]


def load(criterion):
    """Return {group: {frame: {peer: median_ns}}} from criterion's output."""
    results = {}
    for bench in criterion.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        group, peer = meta["group_id"], meta["function_id"]
        frame = meta.get("value_str") or ""
        median = estimates["median"]["point_estimate"]
        results.setdefault(group, {}).setdefault(frame, {})[peer] = median
    return results


def order(keys, known):
    """Known keys in their given order, then any others sorted."""
    return [k for k in known if k in keys] + sorted(k for k in keys if k not in known)


def table(group, frames):
    peers = order({p for row in frames.values() for p in row}, PEERS)
    others = [p for p in peers if p != "synack"]
    lines = [
        f"{group} (median ns)",
        "",
        "| frame | " + " | ".join(peers) + " | synack / fastest peer |",
        "|---" * (len(peers) + 2) + "|",
    ]
    for frame in order(frames.keys(), FRAMES):
        row = frames[frame]
        cells = [f"{row[p]:.1f}" if p in row else "-" for p in peers]
        rivals = [row[p] for p in others if p in row]
        if "synack" in row and rivals:
            fastest = min(rivals)
            mark = "" if row["synack"] <= fastest else " (slower)"
            ratio = f"{row['synack'] / fastest:.2f}{mark}"
        else:
            ratio = "-"
        lines.append(f"| {frame} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def main():
    target = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARGO_TARGET_DIR", "target"))
    criterion = target / "criterion"
    results = load(criterion)
    if not results:
        sys.exit(f"no criterion results under {criterion}: run `cargo bench --bench wire` first")
    print("\n\n".join(table(g, results[g]) for g in order(results.keys(), GROUPS)))


if __name__ == "__main__":
    main()
