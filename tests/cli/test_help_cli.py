"""The help says the exit statuses, and ``--version`` prints the version."""

from __future__ import annotations

from importlib import metadata

import pytest

from bot.cli import main
from bot.locales import Catalog


@pytest.mark.parametrize("argv", [(), ("report",), ("roster", "import"), ("broadcast", "status")])
def test_every_help_lists_the_exit_statuses(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """The root's help and each command's end with 0 ok, 1 refused or failed, 2 wrong usage."""
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert " ".join(Catalog.load().plain("cli.exit_codes").split()) in help_text


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``chuyende --version`` prints the package's version and exits 0."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"chuyende {metadata.version('chuyende-bot')}"


def test_wrong_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command is wrong usage: status 2, said in Vietnamese."""
    with pytest.raises(SystemExit) as done:
        main(["nope"])
    assert done.value.code == 2 and "lỗi" in capsys.readouterr().err
