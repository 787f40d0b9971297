"""How fast, and in how little memory, `chuyende roster import` refuses hostile files.

    python -m bench.hostile_files [--csv-rows 3000000]

Builds each file, then runs the real command (`chuyende roster import FILE`, through
`bot.cli.main`) as its own process in a fresh folder, and reads that process's peak RSS (VmHWM),
the time of the command itself and of the whole process (start-up included):
  - bomb_far_cell: a ~1 KB XLSX whose sheet claims A1:XFD1048576 and has a cell there;
  - bomb_styled_rows: an XLSX of one million empty, styled rows;
  - csv_rows: a CSV of ``--csv-rows`` realistic roster rows (refused by its size, unread).
The issue's targets: each refused with a clear message in under 2 s and under 200 MB.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.cli.test_hostile_files import FAR_CELL, HEADER, _bomb

# Runs the command in this process, then prints its exit status and its own peak RSS in kB.
PROBE = (
    "import io, sys, time\n"
    "from pathlib import Path\n"
    "from bot.cli import main\n"
    "out = io.StringIO()\n"
    "started = time.monotonic()\n"
    "status = main(['roster', 'import', sys.argv[1]], out)\n"
    "seconds = time.monotonic() - started\n"
    "peak = next(l.split()[1] for l in Path('/proc/self/status').read_text().splitlines()"
    " if l.startswith('VmHWM'))\n"
    "print(status, peak, seconds)\n"
    "print(out.getvalue().strip().splitlines()[-1])\n"
)


def refuse(folder: Path, name: str) -> dict[str, object]:
    """Run the import of ``name`` in ``folder``; its exit status, seconds, peak MB, last line."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, name],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.db'}", "PATH": ""},
    )
    process_seconds = time.monotonic() - started
    first, said = done.stdout.splitlines()[:2]
    status, peak_kb, seconds = first.split()
    return {
        "status": int(status),
        "seconds": round(float(seconds), 3),  # the command itself, once Python and the bot load
        "process_seconds": round(process_seconds, 2),  # the whole process, start-up included
        "peak_rss_mb": round(int(peak_kb) / 1024, 1),
        "said": said,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv-rows", type=int, default=3_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _bomb(folder / "far.xlsx", HEADER + FAR_CELL)
        styled = "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(2, 1_000_002))
        _bomb(folder / "styled.xlsx", HEADER + styled, dimension="A1:B1")
        row = "DV{n:07},Nguyễn Văn An,15/03/1975,0912345678,Đảng viên,,Đảng bộ xã A / Chi bộ 1\n"
        with (folder / "big.csv").open("w", encoding="utf-8") as handle:
            handle.write("Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị\n")
            for n in range(args.csv_rows):
                handle.write(row.format(n=n))
        figures: dict[str, object] = {}
        for key, name in (
            ("bomb_far_cell", "far.xlsx"),
            ("bomb_styled_rows", "styled.xlsx"),
            ("csv_rows", "big.csv"),
        ):
            result = refuse(folder, name) | {"file_mb": (folder / name).stat().st_size / 2**20}
            result["file_mb"] = round(float(str(result["file_mb"])), 2)
            figures[key] = result
            print(f"{key}: {result}", file=sys.stderr)
        figures["csv_row_count"] = args.csv_rows
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
