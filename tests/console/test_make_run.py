"""`make run`'s launcher (bin/dev) fails loudly when it cannot serve, and Make targets exist."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_dev(address):
    env = {**os.environ, "RUN_ADDRESS": address}
    return subprocess.run(
        [sys.executable, str(ROOT / "bin" / "dev")], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_make_run_fails_with_a_clear_message_when_its_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        result = _run_dev(address)
    assert result.returncode != 0
    assert f"{address} is already in use" in result.stderr
    assert "RUN_ADDRESS=" in result.stderr
    assert "Data Management Console: http://" not in result.stdout  # no banner for a server that is not there


@pytest.mark.parametrize("address", ["8000", "localhost:http", ":8000"])
def test_make_run_refuses_an_address_that_is_not_host_and_port(address):
    result = _run_dev(address)
    assert result.returncode != 0
    assert "RUN_ADDRESS must be host:port" in result.stderr


def test_every_declared_make_target_has_a_recipe_and_the_readme_documents_run_address():
    makefile = (ROOT / "Makefile").read_text()
    declared = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    defined = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    assert set(declared) <= defined, f"declared but not defined: {set(declared) - defined}"
    readme = (ROOT / "README.md").read_text()
    assert "RUN_ADDRESS" in readme
    assert "../shared" not in readme  # a fresh clone has no such folder


@pytest.mark.parametrize(("target", "commands"), [
    ("migrate", ["manage.py migrate"]),
    ("seed", ["manage.py migrate", "manage.py seed_demo"]),
    ("test-fast", ["ruff check", 'pytest -m "not browser"']),
    ("run", ["manage.py migrate", "manage.py seed_demo", "bin/dev"]),
])
def test_make_targets_run_what_they_say(target, commands):
    # -n prints the recipe without running it; -B treats every prerequisite as out of date.
    printed = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for command in commands:
        assert command in printed
