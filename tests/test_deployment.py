"""The deployment files, checked without a Docker engine: what a deployer relies on when they run
`docker compose up` (the DB survives restarts, the health check runs a real command, secrets stay
out of the image) and that the image installs briefbot the way the documented set-up does."""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
CLI = ROOT / "bot" / "cli.py"
_VAR = re.compile(r"^(?:BRIEFBOT|TELEGRAM)_[A-Z0-9_]+$")


def instructions() -> list[tuple[str, str]]:
    """Dockerfile as (INSTRUCTION, arguments), continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        name, _, args = pending.strip().partition(" ")
        out.append((name.upper(), args.strip()))
        pending = ""
    return out


def instruction_args(name: str) -> list[str]:
    return [args for n, args in instructions() if n == name]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"{args!r}: use the exec (JSON list) form so signals reach briefbot"
    return value


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in instruction_args("ENV"):
        tokens = shlex.split(args)
        if "=" not in tokens[0]:  # legacy `ENV NAME value`
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        env.update(token.split("=", 1) for token in tokens)  # type: ignore[misc]
    return env


def compose_bot() -> dict:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert "bot" in data.get("services", {}), "docker-compose.yml has no `bot` service"
    return data["services"]["bot"]


def compose_environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def healthcheck_argv(test: list[str] | str) -> list[str]:
    if isinstance(test, str):
        return shlex.split(test)
    assert test[0] in ("CMD", "CMD-SHELL"), test
    return test[1:] if test[0] == "CMD" else shlex.split(test[1])


def pip_installs(text: str) -> list[tuple[bool, str, frozenset[str]]]:
    """Every `pip install` of a local project in shell-ish text, as (editable, path, extras)."""
    found = []
    for line in text.splitlines():
        for command in re.split(r"&&|;|\|\|", line):
            try:
                tokens = shlex.split(command.strip().removeprefix("$ "))
            except ValueError:
                continue
            for i, token in enumerate(tokens[:-1]):
                if PurePosixPath(token).name in ("pip", "pip3") and tokens[i + 1] == "install":
                    found.extend(_project_targets(tokens[i + 2 :]))
    return found


def _project_targets(args: list[str]) -> list[tuple[bool, str, frozenset[str]]]:
    editable = any(a in ("-e", "--editable") for a in args)
    targets = []
    for arg in args:
        if arg.startswith("-"):
            continue
        path, _, extras = arg.partition("[")
        if path.startswith(".") or "/" in path:  # a local project, not `pip install --upgrade pip`
            targets.append(
                (editable, path.rstrip("/") or ".", frozenset(e for e in extras.rstrip("]").split(",") if e))
            )
    return targets


def cli_parser() -> argparse.ArgumentParser:
    if not CLI.exists():
        pytest.skip("bot/cli.py does not exist yet: cannot check commands against its subcommands")
    from bot.cli import build_parser

    return build_parser()


def assert_real_command(argv: list[str], where: str) -> None:
    assert argv and argv[0] == "briefbot", f"{where}: {argv} does not run briefbot"
    try:
        cli_parser().parse_args(argv[1:])
    except SystemExit as exc:
        raise AssertionError(f"{where}: `{' '.join(argv)}` is not a valid briefbot command line") from exc


# -- docker-compose.yml ---------------------------------------------------------------------------


def test_compose_restarts_the_bot_and_reads_secrets_from_env_file() -> None:
    bot = compose_bot()
    assert bot.get("build") in (".", {"context": "."}), "the bot should be built from this repository"
    assert bot.get("restart") in ("unless-stopped", "always"), "a crashed or rebooted bot must come back"
    env_files = bot.get("env_file")
    assert ".env" in ([env_files] if isinstance(env_files, str) else env_files or [])


def test_compose_keeps_the_database_on_a_named_volume() -> None:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    bot = data["services"]["bot"]
    db = PurePosixPath(compose_environment(bot)["BRIEFBOT_DB"])
    mounts = {}
    for volume in bot.get("volumes", []):
        source, target = volume.split(":")[:2] if isinstance(volume, str) else (volume["source"], volume["target"])
        mounts[PurePosixPath(target)] = source
    holding = [target for target in mounts if db.is_relative_to(target)]
    assert holding, f"BRIEFBOT_DB={db} is not on any volume: settings and the query log would vanish on rebuild"
    source = mounts[holding[0]]
    assert source in (data.get("volumes") or {}), f"volume {source!r} is not declared at the top level"


def test_compose_healthcheck_runs_a_real_briefbot_command() -> None:
    check = compose_bot()["healthcheck"]
    assert check.get("interval") == "60s"
    assert_real_command(healthcheck_argv(check["test"]), "docker-compose.yml healthcheck")


def test_compose_limits_log_size() -> None:
    logging = compose_bot().get("logging") or {}
    options = logging.get("options") or {}
    assert logging.get("driver", "json-file") in ("json-file", "local")
    assert options.get("max-size") and options.get("max-file"), "unbounded container logs eventually fill the disk"


# -- Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_base_workdir_and_contents() -> None:
    assert instruction_args("FROM")[0].split(" ")[0] == "python:3.11-slim"
    assert instruction_args("WORKDIR")[-1] == "/app"
    copied = {part.rstrip("/") for args in instruction_args("COPY") for part in shlex.split(args)[:-1]}
    assert {"bot", "briefs", "seeds", "pyproject.toml", "README.md"} <= copied
    for name in copied:
        assert (ROOT / name).exists(), f"the Dockerfile copies {name}, which is not in the repository"


def test_dockerfile_runs_as_a_non_root_user_who_owns_the_data_dir() -> None:
    users = instruction_args("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the bot should not run as root"
    user = users[-1].split(":")[0]
    data_dir = str(PurePosixPath(dockerfile_env()["BRIEFBOT_DB"]).parent)
    runs = " ".join(instruction_args("RUN"))
    # A fresh named volume copies the image's ownership of the mount point; root-owned means read-only for the bot.
    assert re.search(rf"chown\s+(-R\s+)?{user}(:\S+)?\s+{re.escape(data_dir)}\b", runs), (
        f"{data_dir} must be created and chowned to {user} in the image"
    )


def test_dockerfile_entrypoint_cmd_and_healthcheck_are_real_commands() -> None:
    entrypoint = exec_form(instruction_args("ENTRYPOINT")[-1])
    cmd = exec_form(instruction_args("CMD")[-1])
    assert (entrypoint, cmd) == (["briefbot"], ["run"])
    assert_real_command(entrypoint + cmd, "Dockerfile ENTRYPOINT + CMD")
    check = instruction_args("HEALTHCHECK")[-1]
    options, _, command = check.partition(" CMD ")
    argv = exec_form(command)
    assert "--interval=60s" in options.split()
    assert_real_command(argv, "Dockerfile HEALTHCHECK")
    assert argv == healthcheck_argv(compose_bot()["healthcheck"]["test"]), "image and compose check different things"


def test_dockerfile_installs_like_the_documented_set_up() -> None:
    image = [t for args in instruction_args("RUN") for t in pip_installs(args)]
    assert len(image) == 1, f"expected exactly one project install in the Dockerfile, found {image}"
    (editable, path, extras) = image[0]
    assert not extras & {"dev", "test"}, "the image should not carry the dev tools"
    readme = ROOT / "README.md"
    makefile = ROOT / "Makefile"
    if not readme.exists():
        pytest.skip("README.md does not exist yet: no documented set-up to compare the image's install with")
    text = readme.read_text(encoding="utf-8")
    documented, where = pip_installs(text), "README.md"
    if not documented and re.search(r"\bmake\b", text) and makefile.exists():
        documented, where = pip_installs(makefile.read_text(encoding="utf-8")), "Makefile (the README's set-up)"
    if not documented:
        pytest.skip("README.md documents no `pip install` of the project to compare with")
    assert (editable, path) in {(e, p) for e, p, _ in documented}, (
        f"the image installs {'-e ' if editable else ''}{path} but {where} installs {documented}: "
        "an editable install finds files next to the source that a plain install does not ship"
    )


def test_installed_package_ships_its_data_files() -> None:
    # `pip install .` (not editable) puts only .py files in site-packages unless package-data says otherwise.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config.get("tool", {}).get("setuptools", {}).get("package-data", {})
    # Each key names a package; its patterns are relative to that package's folder ("bot.understand":
    # ["*.json"] ships bot/understand/*.json).
    patterns = [*package_data.get("bot", []), *package_data.get("*", []),
                *(f"{key.removeprefix('bot.').replace('.', '/')}/{pat}" for key, pats in package_data.items()
                  if key.startswith("bot.") for pat in pats)]
    data_files = [
        p.relative_to(ROOT / "bot").as_posix()
        for p in (ROOT / "bot").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    missing = [f for f in data_files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert not missing, (
        f"{missing} would be missing from the installed package (the image would crash reading them); "
        'add to pyproject.toml: [tool.setuptools.package-data] bot = ["*.yaml"]'
    )


def test_installed_cli_finds_the_corpus_shipped_in_the_image(tmp_path: Path) -> None:
    """Simulate the image: bot/ imported from "site-packages", the Dockerfile's ENV, WORKDIR=/app."""
    if not CLI.exists():
        pytest.skip("bot/cli.py does not exist yet")
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "bot", site / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    workdir = instruction_args("WORKDIR")[-1]
    env = {k: v.replace(workdir, str(ROOT), 1) if v.startswith(workdir) else v for k, v in dockerfile_env().items()}
    probe = (
        "import bot, bot.cli; a = bot.cli.build_parser().parse_args(['check']); "
        "print(bot.__file__); print(a.briefs); print(a.seeds)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the repository: its bot/ would shadow the "installed" copy
        env={**os.environ, "PYTHONPATH": str(site), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    module, briefs, seeds = result.stdout.splitlines()
    assert Path(module).is_relative_to(site), "the simulation did not import the copied package"
    assert (Path(briefs).resolve(), Path(seeds).resolve()) == (
        (ROOT / "briefs").resolve(),
        (ROOT / "seeds").resolve(),
    ), (
        "installed (non-editable) briefbot looks for the corpus next to site-packages, not in /app; "
        "let the --briefs/--seeds defaults come from $BRIEFBOT_BRIEFS/$BRIEFBOT_SEEDS (set in the Dockerfile)"
    )


# -- .env.example, .dockerignore and what the code reads --------------------------------------------


def env_example_vars() -> dict[str, int]:
    found = {}
    for n, line in enumerate(ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()):
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            found[match.group(1)] = n
    return found


def test_env_example_documents_every_setting_with_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = env_example_vars()
    expected = set(
        "TELEGRAM_BOT_TOKEN TELEGRAM_BOT_TOKEN_FILE TELEGRAM_API_URL BRIEFBOT_WEBHOOK_URL BRIEFBOT_WEBHOOK_PORT "
        "BRIEFBOT_WEBHOOK_SECRET BRIEFBOT_ADMINS BRIEFBOT_QUERY_LOG BRIEFBOT_LOG_RETENTION_DAYS".split()
    )
    assert expected <= set(found), f"missing from .env.example: {sorted(expected - set(found))}"
    for name, n in found.items():
        above = lines[n - 1] if n else ""
        assert above.startswith("#") and not re.match(r"^#?\s*[A-Z][A-Z0-9_]*=", above), f"{name}: no comment above"
    assert re.fullmatch(r"TELEGRAM_BOT_TOKEN=\s*", lines[found["TELEGRAM_BOT_TOKEN"]]), "never ship a real token"


def test_every_variable_the_readme_mentions_is_in_env_example() -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet")
    mentioned = set(re.findall(r"\b(?:BRIEFBOT|TELEGRAM)_[A-Z0-9_]*[A-Z0-9]\b", readme.read_text(encoding="utf-8")))
    missing = sorted(mentioned - set(env_example_vars()))
    assert not missing, f"README.md documents {missing} but .env.example does not"


def test_secrets_and_local_state_stay_out_of_git_and_the_image() -> None:
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert {".env", ".venv", "data", ".git", ".pytest_cache", ".hypothesis"} <= ignored
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in {line.strip() for line in gitignore}, ".env holds the bot token and must not be committed"


def test_every_documented_variable_is_read_by_the_code() -> None:
    # A knob in .env.example or compose that nothing reads is a silent misconfiguration for deployers.
    names = set(env_example_vars()) | set(compose_environment(compose_bot())) | set(dockerfile_env())
    names = {n for n in names if _VAR.match(n)}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    unread = sorted(n for n in names if n not in source)
    assert not unread, f"documented for deployers but never read by bot/: {unread}"
