"""Bad input through the CLI: a clear per-file message, the good files still imported,
nothing already saved lost, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.library import Library

GOOD = "Abstract: A good abstract about kernels and graphs.\n"


def run(data: Path, *args: str):
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    lib = Library.open(folder)
    lib.set_note(lib.ids()[0], "precious note")
    return folder


def assert_note_kept(data: Path) -> None:
    lib = Library(data)
    assert lib.annotation(lib.ids()[0]).note == "precious note"


def bad_files(folder: Path) -> dict[str, str]:
    """Each bad case -> a word its message must contain."""
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("\n\n   \n\t\n")
    (folder / "latin1.txt").write_bytes(
        "Abstract: Schr\xf6dinger equations, na\xefve.\n".encode("latin-1")
    )
    (folder / "long.txt").write_text("Abstract: " + "x" * 10_000_000 + "\n" + GOOD)
    (folder / "mixed.txt").write_text(
        "A block abstract about agents.\n\narXiv:2401.00001\nCreated: 2024-01-02\n\n" + GOOD
    )
    (folder / "good.txt").write_text(GOOD.replace("good", "fine"))
    return {
        "binary.txt": "binary",
        "empty.txt": "empty",
        "blank.txt": "blank",
    }


def test_folder_of_mixed_good_and_bad_files(data: Path, tmp_path: Path):
    folder = tmp_path / "in"
    expected = bad_files(folder)
    result = run(data, "import", str(folder))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for name, word in expected.items():
        line = next(line for line in lines if name in line)
        assert "failed" in line and word in line.lower(), line
    assert any("latin1.txt" in line and "utf-8" in line.lower() for line in lines)
    assert any("long.txt" in line and "skipped" in line for line in lines)
    lib = Library(data)
    assert lib.search('"schrodinger equations"')  # imported with a warning
    assert lib.search("id:2401.00001") and lib.search('"good abstract"')
    assert lib.search('"fine abstract"')
    assert_note_kept(data)


def test_path_that_does_not_exist(data: Path, tmp_path: Path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    result = run(data, "import", str(tmp_path / "nope.txt"), str(good))
    assert result.exit_code == 1
    assert "nope.txt" in result.output and "no such file" in result.output
    assert Library(data).search('"good abstract"')
    assert_note_kept(data)


def test_file_without_read_permission(data: Path, tmp_path: Path, monkeypatch):
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD)
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: simulate the refusal where the parser reads
        real = Path.read_bytes

        def refuse(self: Path) -> bytes:
            if self.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)
        import builtins

        real_open = builtins.open

        def refuse_open(file, *args, **kwargs):
            if str(file).endswith("locked.txt"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refuse_open)
        real_os_open = os.open

        def refuse_os_open(file, *args, **kwargs):  # the parser opens with os.open
            if str(file).endswith("locked.txt"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_os_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse_os_open)
    result = run(data, "import", str(locked))
    assert result.exit_code == 1
    assert "locked.txt" in result.output and "permission" in result.output.lower()
    monkeypatch.undo()
    assert_note_kept(data)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["list", '"unbalanced'], "unclosed quote (at column 1)"),
        (["list", "status:bogus"], "unknown status 'bogus'"),
        (["list", "date:>=2023-13-45"], "invalid date '2023-13-45' (at column 8)"),
        (["list", "graph nofield:x"], "unknown field 'nofield'"),
        (["status", "2306.10015", "finished"], "status"),
        (["tag", "2306.10015", "+bad,tag"], "tag"),
        (["show", "zzzz"], "no abstract"),
        (["show", "2306"], "ambiguous"),
        (["restore", "/nonexistent/export.json"], "export.json"),
    ],
)
def test_bad_arguments_get_one_line_errors(data: Path, args: list[str], words: str):
    result = run(data, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # the error goes to stderr, alone
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"not one line: {result.stderr!r}"
    assert lines[0].startswith("reader: error: ") and words in lines[0].lower()
    assert_note_kept(data)


def test_restore_of_a_file_that_is_not_an_export(data: Path, tmp_path: Path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}')
    result = run(data, "restore", str(bogus))
    assert result.exit_code == 1 and "bogus.json" in result.output
    assert_note_kept(data)
