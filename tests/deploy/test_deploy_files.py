"""The deployment files (Dockerfile, compose.yaml, deploy/) agree with the code and the README.

No Docker here: these read the files and hold them to what the bot really is (its settings, its
routes, its stop grace, the Python it is tested on, the letters its chart must draw).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from packaging.specifiers import SpecifierSet

from bot.config import Settings
from bot.domain.digest import Tally
from bot.locales import Catalog
from bot.office.report_chart import LABEL_CHARS, chart_png
from bot.services.clock import ManualClock
from bot.services.digests import ReportRow
from bot.services.downloads import LINK_PATH
from bot.services.metrics import Metrics
from bot.zalo_app import WEBHOOK_PATH
from handlers.telegram.webhook import PATH as TELEGRAM_PATH
from handlers.web.health import Readiness
from handlers.web.server import web_app

ROOT = Path(__file__).resolve().parents[2]
# Seconds a stopping replica waits for the updates in hand (its lanes) before tearing down.
STOP_GRACE = Settings.model_fields["lanes_stop_grace"].default
SECTION = "## Chạy nhiều máy"
COMPOSE_ONLY = {"CHUYENDE_DOMAIN", "POSTGRES_PASSWORD"}  # compose.yaml's own, not the bot's
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES}
    | {unicodedata.normalize("NFC", v + t).upper() for v in VOWELS for t in TONES}
    | {"đ", "Đ"}
)


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", _text("Dockerfile"))
    return [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.startswith("#")]


def _final_stage() -> list[str]:
    lines = _dockerfile()
    last = max(i for i, ln in enumerate(lines) if ln.startswith("FROM "))
    return lines[last:]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_text("compose.yaml"))
    return loaded


def _bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in compose["services"].items() if k.startswith("bot-")}


def _seconds(value: str) -> float:
    """A duration as compose and systemd write it (``30s``, ``1m``, ``30``)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|min)?", value.strip())
    assert match, value
    number, unit = float(match[1]), match[2] or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60, "min": 60}[unit]


def _unit() -> dict[str, list[str]]:
    """The systemd unit's settings (a key set twice keeps both values)."""
    found: dict[str, list[str]] = {}
    for line in _text("deploy/chuyende.service").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _readme_section() -> str:
    text = _text("README.md")
    start = text.index(SECTION + "\n")
    end = text.index("\n## ", start + len(SECTION))
    return text[start:end]


def _readme_rows() -> dict[str, str]:
    """Each table row of the section with code in its first cell: name -> "có" or "chưa"."""
    rows: dict[str, str] = {}
    for line in _readme_section().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        status = next(c for c in cells[1:] if c in {"có", "chưa"})
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = status
    return rows


def _served_paths() -> set[str]:
    """Every route of the bot's web server, and the webhooks mounted on it."""

    class NoFiles:
        async def fetch(self, token: str, now: datetime) -> None:
            return None

    async def answers() -> None:
        return None

    async def current() -> bool:
        return True

    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    app = web_app(NoFiles(), clock, Readiness(answers, current), Metrics())  # as serve() builds it
    paths = {resource.canonical for resource in app.router.resources()}
    return {p.replace("{token}", "<token>") for p in paths} | {WEBHOOK_PATH, TELEGRAM_PATH}


def test_image_is_on_the_python_the_project_targets() -> None:
    """The base image's Python meets requires-python and is the one mypy and ruff check for."""
    default = next(ln for ln in _dockerfile() if ln.startswith("ARG PYTHON_IMAGE="))
    match = re.fullmatch(r"ARG PYTHON_IMAGE=python:(\d+\.\d+)-slim(-\w+)?", default)
    assert match, default
    project = tomllib.loads(_text("pyproject.toml"))
    assert match[1] in SpecifierSet(project["project"]["requires-python"])
    assert match[1] == project["tool"]["mypy"]["python_version"]
    assert project["tool"]["ruff"]["target-version"] == "py" + match[1].replace(".", "")
    assert [ln for ln in _dockerfile() if ln.startswith("FROM ")] == [
        "FROM ${PYTHON_IMAGE} AS build",
        "FROM ${PYTHON_IMAGE}",
    ]


def test_image_runs_as_the_unprivileged_user_it_creates() -> None:
    """The last stage switches to a numeric non-root user, the one it created, before it runs."""
    stage = _final_stage()
    users = [ln.split()[1] for ln in stage if ln.startswith("USER ")]
    assert users, "the image would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0
    created = next(ln for ln in stage if "useradd" in ln)
    assert f"--uid {uid}" in created and f"--gid {gid}" in created
    entry = [i for i, ln in enumerate(stage) if ln.startswith("ENTRYPOINT")]
    assert entry and entry[0] > stage.index(f"USER {users[-1]}")


def test_build_context_is_only_what_the_image_copies() -> None:
    """.dockerignore lets in the COPY sources only, and keeps out inside them what git ignores."""
    ignore = [ln for ln in _text(".dockerignore").splitlines() if ln and not ln.startswith("#")]
    assert ignore[0] == "*", "everything is out unless let in"
    let_in = {ln[1:].rstrip("/") for ln in ignore if ln.startswith("!")}
    copied = {
        source.rstrip("/").removeprefix("./")
        for ln in _final_stage() + _dockerfile()
        if ln.startswith("COPY ") and "--from=" not in ln
        for source in ln.split()[1:-1]
    }
    assert let_in == copied
    last_in = max(i for i, ln in enumerate(ignore) if ln.startswith("!"))
    kept_out = set(ignore[last_in + 1 :])
    for pattern in _text(".gitignore").splitlines():
        if pattern and not pattern.startswith("#"):
            assert f"**/{pattern}" in kept_out, f"{pattern} (.gitignore) could enter the image"


def test_chart_draws_every_vietnamese_letter_with_its_font() -> None:
    """The report chart has a glyph for every Vietnamese letter: a missing one would be a box."""
    words, line = [], ""
    for letter in LETTERS:
        if len(line) + 1 >= LABEL_CHARS:
            words.append(line)
            line = ""
        line += letter
    words.append(line)
    rows = [ReportRow(w, 1, Tally(required=2, submitted=1)) for w in words]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # matplotlib's "Glyph … missing from font"
        assert chart_png(Catalog.load(), rows) is not None


def test_image_build_draws_every_vietnamese_letter() -> None:
    """The Dockerfile's chart check, run in the image at build time, has every letter."""
    check = next(ln for ln in _final_stage() if "chart_png" in ln)
    assert "-W error::UserWarning" in check
    assert [letter for letter in LETTERS if letter not in check] == []
    units = re.search(r"units = \[(.*?)\];", check)
    assert units and all(len(u) <= LABEL_CHARS for u in re.findall(r"'([^']*)'", units[1]))


def test_replicas_share_one_configuration_and_reach_postgres() -> None:
    """Every bot replica in compose.yaml has the same settings: PostgreSQL, 0.0.0.0, https."""
    compose = _compose()
    bots = _bots(compose)
    assert len(bots) >= 2
    first, *others = bots.values()
    assert all(other == first for other in others)
    env = first["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in env["DATABASE_URL"] and "db" in compose["services"]
    assert first["depends_on"]["db"]["condition"] == "service_healthy"
    assert env["WEB_HOST"] == "0.0.0.0" and env["PUBLIC_URL"].startswith("https://")
    fields = {name.upper() for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    example = [ln.partition("=")[0] for ln in _text("deploy/compose.env.example").splitlines()]
    named = {name for name in example if name and not name.startswith("#")}
    assert named - COMPOSE_ONLY <= fields, named - COMPOSE_ONLY - fields


def test_proxy_sends_to_each_replica_on_its_port() -> None:
    """The Caddyfile's upstreams are exactly the compose replicas, on their WEB_PORT."""
    compose = _compose()
    bots = _bots(compose)
    caddy = _text("deploy/Caddyfile")
    upstreams = re.search(r"^\s*reverse_proxy ([^{]+)\{", caddy, re.MULTILINE)
    assert upstreams
    ports = {bot["environment"]["WEB_PORT"] for bot in bots.values()}
    assert set(upstreams[1].split()) == {f"{name}:{port}" for name in bots for port in ports}
    volumes = compose["services"]["caddy"]["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in volumes


def test_stopping_waits_longer_than_the_bot_takes_to_stop() -> None:
    """SIGTERM first, and SIGKILL only after STOP_GRACE and more, in systemd and in compose."""
    unit = _unit()
    assert unit["KillSignal"] == ["SIGTERM"] and unit["KillMode"] == ["mixed"]
    assert _seconds(unit["TimeoutStopSec"][0]) >= STOP_GRACE + 10
    for bot in _bots(_compose()).values():
        assert bot["stop_signal"] == "SIGTERM"
        assert _seconds(bot["stop_grace_period"]) >= STOP_GRACE + 10
    assert "STOPSIGNAL SIGTERM" in _final_stage()


def test_systemd_unit_runs_the_bot_unprivileged_with_its_settings() -> None:
    """The unit runs `chuyende run` as its own user, reads the env file, and restarts on failure."""
    unit = _unit()
    assert unit["User"] == ["chuyende"] and unit["ExecStart"][0].endswith("/chuyende run")
    assert unit["EnvironmentFile"][0].startswith("/etc/")
    assert unit["Restart"] == ["on-failure"] and unit["RestartPreventExitStatus"] == ["2"]
    assert unit["WorkingDirectory"] == [f"/var/lib/{unit['StateDirectory'][0]}"]


def test_probed_paths_are_in_the_readme_and_served_unless_marked_pending() -> None:
    """Each path a health check probes is in the README table; "có" is served, "chưa" is not yet."""
    rows = {name: s for name, s in _readme_rows().items() if name.startswith("/")}
    served = _served_paths()
    for path, status in rows.items():
        assert (path in served) == (status == "có"), f"README says {path} is {status!r}"
    probed = set(re.findall(r"127\.0\.0\.1:[^/]+(/\w+)", _text("Dockerfile")))
    probed |= set(re.findall(r"8080(/\w+)", _text("compose.yaml")))
    probed |= set(re.findall(r"health_uri (\S+)", _text("deploy/Caddyfile")))
    assert probed and probed <= set(rows), probed - set(rows)
    assert LINK_PATH + "<token>" in rows


def test_readme_names_only_settings_that_exist_or_are_marked_pending() -> None:
    """Every variable in "Chạy nhiều máy" is a setting of bot/config.py, or marked "chưa" if not."""
    fields = {name.upper() for name in Settings.model_fields}
    rows = _readme_rows()
    for name, status in rows.items():
        if re.fullmatch(r"[A-Z][A-Z0-9_]+", name):
            assert (name in fields) == (status == "có"), f"README says {name} is {status!r}"
    pending = {name for name, status in rows.items() if status == "chưa"}
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{3,})", _readme_section()))
    unknown = named - fields - pending - COMPOSE_ONLY - {"STOP_GRACE", "HEALTHCHECK"}
    assert unknown == set()


def test_no_secret_is_written_into_the_deployment_files() -> None:
    """Tokens and the database password come from .env, never from a file in the repository."""
    for name in ("compose.yaml", "deploy/compose.env.example", "deploy/chuyende.service"):
        assert not re.search(r"\d{5,16}:[A-Za-z0-9_-]{30,64}", _text(name)), name  # a token
    lines = _text("deploy/compose.env.example").splitlines()
    example = dict(ln.partition("=")[::2] for ln in lines if "=" in ln)
    assert example["POSTGRES_PASSWORD"] == example["TELEGRAM_BOT_TOKEN"] == ""
    compose = _compose()
    password = compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    for bot in _bots(compose).values():
        assert ":${POSTGRES_PASSWORD:?" in bot["environment"]["DATABASE_URL"]
        assert bot["env_file"] == ".env"
