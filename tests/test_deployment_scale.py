"""docker-compose.scale.yml as a deployer runs it (`docker compose -f docker-compose.scale.yml up
--scale replica=3`): PostgreSQL shared by the replicas, no replica registering the webhook, one
deploy step that does, every health check a real command, the balancer pointing at the port the
replicas listen on, and every setting it passes read by the code. No Docker engine here: the files
are checked against the code they drive."""

from __future__ import annotations

import re

import yaml

from bot.config import Config
from bot.limits import SharedRateLimiter, rate_limiter_for
from tests.test_deployment import ROOT, assert_real_command, compose_environment, healthcheck_argv

SCALE = ROOT / "docker-compose.scale.yml"
NGINX = ROOT / "deploy" / "nginx.conf"


def services() -> dict:
    return yaml.safe_load(SCALE.read_text(encoding="utf-8"))["services"]


def test_replicas_share_postgresql_and_leave_the_webhook_to_one_deploy_step() -> None:
    found = services()
    assert {"postgres", "replica", "lb", "set-webhook"} <= set(found)
    env = compose_environment(found["replica"])
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": "123:" + "a" * 30, "BRIEFBOT_WEBHOOK_URL": "https://x/hook",
                              "BRIEFBOT_WEBHOOK_SECRET": "s", **env})
    assert config.db_url is not None and config.db_url.startswith("postgresql://")
    assert not config.registers_webhook  # three replicas registering at start-up would race
    assert isinstance(rate_limiter_for(config), SharedRateLimiter)  # Telegram's limits counted across replicas
    assert found["set-webhook"]["command"] == ["set-webhook"]
    assert_real_command(["briefbot", *found["set-webhook"]["command"]], "set-webhook service")
    assert found["set-webhook"]["restart"] == "no"
    assert found["replica"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_service_has_a_health_check_and_the_replicas_a_real_briefbot_one() -> None:
    found = services()
    for name in ("postgres", "replica", "lb"):
        assert found[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert_real_command(healthcheck_argv(found["replica"]["healthcheck"]["test"]), "replica healthcheck")


def test_the_balancer_forwards_to_the_port_the_replicas_listen_on_and_fails_over() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    port = compose_environment(services()["replica"])["BRIEFBOT_WEBHOOK_PORT"]
    assert re.search(rf"server\s+replica:{port}\b", conf)
    assert "proxy_next_upstream" in conf and "http_503" in conf  # 503 = not stored: another replica may
    lb = services()["lb"]
    assert any("deploy/nginx.conf" in v for v in lb["volumes"])


def test_every_setting_the_scale_file_passes_is_read_by_the_code() -> None:
    names = set(compose_environment(services()["replica"]))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    assert not sorted(n for n in names if n not in source)
