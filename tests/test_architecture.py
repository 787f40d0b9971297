"""House rules that code review would otherwise have to catch."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.locales import Catalog

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "scheduler", "storage")
EDGES = (
    "telegram",
    "sqlalchemy",
    "alembic",
    "aiohttp",
    "httpx",
    "openpyxl",
    "apscheduler",
    "asyncpg",
    "aiosqlite",
)
VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
)


def modules(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_edge() -> None:
    """bot.domain imports nothing outside itself; bot.services no edge and no framework."""
    for path in modules("bot/domain"):
        bad = {
            n
            for n in imported(path)
            if n.split(".")[0] in PACKAGES and not n.startswith("bot.domain")
        }
        bad |= {n for n in imported(path) if n.split(".")[0] in EDGES}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    for path in modules("bot/services"):
        bad = {
            n
            for n in imported(path)
            if n.split(".")[0] in ("handlers", "scheduler", "storage", *EDGES)
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_scheduler_delivers_through_the_channel_port() -> None:
    """The scheduler knows no messenger: it imports no handler and no chat library, so a second
    channel plugs in beside Telegram (``bot.services.channels``)."""
    for path in modules("scheduler"):
        bad = {n for n in imported(path) if n.split(".")[0] in ("handlers", "telegram")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_feature_routers_know_no_messenger() -> None:
    """The conversation and its routers (``handlers/*.py``) import no chat library and no
    channel edge: each edge (``handlers/telegram/``, later Zalo's) imports them, never back."""
    edges = ("handlers.telegram", "handlers.zalo")
    for path in sorted((ROOT / "handlers").glob("*.py")):
        bad = {
            n
            for n in imported(path)
            if n.split(".")[0] in ("telegram", "aiohttp", "httpx") or n.startswith(edges)
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_sql_stays_in_storage() -> None:
    """Only storage/ (and the composition of it) talks SQL."""
    for path in modules("bot", "handlers", "scheduler"):
        bad = {
            n
            for n in imported(path)
            if n.split(".")[0] in ("sqlalchemy", "alembic", "asyncpg", "aiosqlite")
        }
        if path.parent.name == "cli":
            bad -= {"sqlalchemy.exc", "sqlalchemy.engine"}  # catching errors, hiding passwords
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_no_vietnamese_text_in_code() -> None:
    """User-facing text lives in the catalog: no Vietnamese letters in string literals of code."""
    allowed = {ROOT / "bot/domain/roster.py", ROOT / "bot/domain/text.py"}  # spellings we accept
    for path in modules(*PACKAGES):
        if path in allowed:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                assert not VIETNAMESE.search(node.value), (
                    f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
                )


def test_every_catalog_key_used_in_code_exists_with_its_placeholders() -> None:
    """Literal keys given to t(), plain(), say() ... exist and get exactly their placeholders."""
    catalog = Catalog.load()
    used: set[str] = set()
    for path in modules(*PACKAGES):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if (
                node.func.attr not in {"t", "plain", "simple", "bare", "say", "_ask"}
                or not node.args
            ):
                continue
            key = node.args[0]
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            used.add(key.value)
            assert catalog.has(key.value), (
                f"{path.relative_to(ROOT)}:{node.lineno} unknown key {key.value}"
            )
            if node.func.attr in {"t", "plain", "say", "_ask"} and not any(
                k.arg is None for k in node.keywords
            ):
                given = {k.arg for k in node.keywords}
                assert given == set(catalog.params(key.value)), (
                    f"{path.relative_to(ROOT)}:{node.lineno} {key.value}"
                )
    assert len(used) > 40


def test_catalog_placeholders_are_plain_names() -> None:
    """Every template parses, and labels exist for every enum value the code renders."""
    from bot.domain.menu import Command
    from bot.domain.models import Category, Exemption, Role
    from bot.domain.roster import Column

    catalog = Catalog.load()
    for prefix, values in (
        ("label.category", Category),
        ("label.exemption", Exemption),
        ("label.role", Role),
        ("menu", Command),
        ("roster.column", Column),
    ):
        for value in values:
            assert catalog.has(f"{prefix}.{value.value}"), f"{prefix}.{value.value}"


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known}


def test_nothing_imports_the_composition_root_back() -> None:
    """bot/app.py builds everything: no module it imports (directly or not) imports it back."""
    graph = {_module_of(path): path for path in modules(*PACKAGES)}
    known = set(graph)
    edges = {name: _project_imports(path, known) for name, path in graph.items()}
    seen: set[str] = set()
    todo = [(name, ("bot.app", name)) for name in edges["bot.app"]]
    while todo:
        name, trail = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert "bot.app" not in edges[name], " -> ".join((*trail, "bot.app"))
        todo.extend((n, (*trail, n)) for n in edges[name] if n not in seen)
