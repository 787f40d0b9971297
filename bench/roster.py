"""How long the admin's roster commands take on a big roster: import, export and invites.

    python -m bench.roster [--people 50000 199999] [--keep DIR]

For each size: writes a roster XLSX of that many people (spread over communes and cells, every
column filled as an office would), then runs, each in its own process on a fresh SQLite file
(``CHUYENDE_TERMINAL=0``: plain lines, as cron would see them):
  1. ``roster import FILE`` (empty database: every person added);
  2. ``roster export OUT.xlsx``;
  3. ``invites --out OUT.xlsx`` (every person gets a code);
  4. ``roster import FILE`` again (every person unchanged: the re-import an office does).
Each command's wall time, its CPU time (user + system: what a loaded machine does not inflate)
and its process's peak RSS are measured from outside (``wait4``).
A sheet holds at most 200,000 rows with its header (``bot.office.sheets.MAX_ROWS``), so the
province-sized run is 199,999 people. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "Mã",
    "Họ và tên",
    "Ngày sinh",
    "Số điện thoại",
    "Đối tượng",
    "Miễn",
    "Đơn vị",
    "Nơi công tác",
    "Chức vụ đảng",
    "Chức vụ chính quyền",
    "Chức vụ đoàn thể",
    "Vai trò",
]
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hoa", "Khánh", "Lan", "Mai", "Nam", "Phúc")
PER_CELL = 40  # people per cell; 25 cells per commune


def person(k: int) -> list[str]:
    """The k-th person of the roster: a party member, staff or individual; a secretary per cell."""
    cell = k // PER_CELL
    commune = cell // 25
    name = f"{SURNAMES[k % 10]} {MIDDLE[k % 6]} {GIVEN[k % 11]}"
    kind = k % 10
    category = (
        "Đảng viên" if kind < 7 else "Cán bộ, công chức, viên chức" if kind < 9 else "Cá nhân"
    )
    roles = "Bí thư" if k % PER_CELL == 0 else ""
    exempt = "Hưu trí" if k % 97 == 0 and category == "Đảng viên" else ""
    return [
        f"DV{k:07d}",
        name,
        f"{1 + k % 28:02d}/{1 + k % 12:02d}/{1950 + k % 50}",
        f"09{k:08d}",
        category,
        exempt,
        f"Đảng bộ xã {commune} / Chi bộ {cell}",
        f"Trường Tiểu học số {cell % 9}",
        "Đảng viên" if category == "Đảng viên" else "",
        "Công chức" if kind == 7 else "",
        "Đoàn viên" if k % 5 == 0 else "",
        roles,
    ]


def write_roster(path: Path, n: int) -> None:
    """An XLSX roster of ``n`` people (openpyxl's write-only mode: rows streamed to disk)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(HEADER)
    for k in range(n):
        sheet.append(person(k))
    workbook.save(path)


def run(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, object]:
    """One ``chuyende`` command in its own process: seconds, peak RSS, status, last line."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = process.stdout.read() if process.stdout is not None else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "status": process.returncode,
        "last_line": lines[-1][:160] if lines else "",
    }


def measure(n: int, where: Path) -> dict[str, dict[str, object]]:
    """Every command on a roster of ``n`` people, on a fresh database in ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    roster = where / f"roster-{n}.xlsx"
    if not roster.exists():
        write_roster(roster, n)
    database = where / f"bench-{n}.db"
    for stale in where.glob(f"bench-{n}.db*"):
        stale.unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "CHUYENDE_TERMINAL": "0"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    results: dict[str, dict[str, object]] = {}
    for name, argv in (
        ("import", ["roster", "import", str(roster)]),
        ("export", ["roster", "export", str(where / f"export-{n}.xlsx")]),
        ("invites", ["invites", "--out", str(where / f"invites-{n}.xlsx")]),
        ("reimport", ["roster", "import", str(roster)]),
    ):
        results[name] = run(argv, env, where)
        print(f"{n} {name}: {results[name]}", file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[50_000, 199_999])
    parser.add_argument("--keep", type=Path, help="work (and keep the rosters) in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        where = args.keep or Path(scratch)
        figures = {str(n): measure(n, where) for n in args.people}
    print(json.dumps({"roster": figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
