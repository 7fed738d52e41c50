"""What a deployer relies on for reliability, checked without a Docker engine: reproducible installs
(constraints.txt in sync with pyproject.toml and used everywhere) and a stop grace period longer
than the bot's drain."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shlex

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.config import Config
from tests.conftest import ROOT
from tests.fake_bot_api import TOKEN

LOCK = ROOT / "constraints.txt"


def _lock_module():  # .ci/lock.py, the one place the lock's digest is defined
    spec = importlib.util.spec_from_file_location("ci_lock", ROOT / ".ci" / "lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pins() -> dict[str, str]:
    found = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[canonicalize_name(name)] = version
    return found


def test_the_lock_was_made_from_the_current_pyproject() -> None:
    header = next(line for line in LOCK.read_text(encoding="utf-8").splitlines() if line.startswith("# inputs-"))
    assert header.split(": ", 1)[1] == _lock_module().inputs_digest(), (
        "pyproject.toml's dependencies changed since constraints.txt was made: run `make lock` and commit both")


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    locked = pins()
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in constraints.txt: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"constraints.txt pins {name}=={locked[name]}, outside {requirement.specifier}: run `make lock`")


def test_the_environment_under_test_is_the_locked_one() -> None:
    wrong = {name: (version, importlib.metadata.version(name)) for name, version in pins().items()
             if importlib.metadata.version(name) != version}
    assert not wrong, f"installed versions differ from constraints.txt (`make setup` reinstalls): {wrong}"


def test_make_ci_and_the_image_install_with_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if "pip install" in line and "'.[dev]'" in line
                and ".lock-venv" not in line]
    assert installs and all("-c constraints.txt" in line for line in installs), installs
    assert re.search(r"^\$\(STAMP\):.*constraints\.txt", makefile, re.M), "a new lock must reinstall .venv"
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    runs = [line for line in dockerfile.splitlines() if line.startswith("RUN pip install")]
    assert runs and all("-c constraints.txt" in shlex.join(shlex.split(line)) for line in runs), runs
    assert re.search(r"^COPY .*constraints\.txt", dockerfile, re.M)


def test_compose_waits_longer_than_the_bot_drains() -> None:
    bot = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["bot"]
    grace = bot.get("stop_grace_period", "10s")
    seconds = float(grace.rstrip("s"))
    drain = Config(token=TOKEN).drain_seconds
    # Drain, then up to 2 s to confirm the last getUpdates offset and close the database.
    assert seconds >= drain + 4, f"stop_grace_period {grace} would SIGKILL a bot still draining ({drain} s)"
