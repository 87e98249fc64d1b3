"""The shipped operations files are valid, and name only metrics the server exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
METRIC = re.compile(r"\berp_[a-z_]+\b")


def _tool(name: str) -> str:
    """The tool's path; a missing tool fails the test (.ci/run installs every one of them),
    since a check that quietly does not run proves nothing."""
    path = shutil.which(name) or f"/usr/sbin/{name}"
    assert Path(path).exists(), f"{name} is not installed (.ci/run installs it)"
    return path


def test_systemd_units_verify(tmp_path: Path):
    tool = _tool("systemd-analyze")
    units = tmp_path / "units"
    units.mkdir()
    for exe in ("ports/8000/.venv/bin/erp", "current/.venv/bin/erp"):
        path = tmp_path / "opt" / exe
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    for source, name in (
        ("erp-engine@.service", "erp-engine@8000.service"),
        ("erp-relay.service", "erp-relay.service"),
    ):
        text = (DEPLOY / "systemd" / source).read_text()
        (units / name).write_text(text.replace("/opt/erp-engine", str(tmp_path / "opt")))
    result = subprocess.run(
        [tool, "verify", *map(str, units.iterdir())], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_rendered_nginx_site_passes_nginx_t(tmp_path: Path):
    nginx = _tool("nginx")
    upstream = tmp_path / "upstream.conf"
    upstream.write_text("server 127.0.0.1:8000;\n")
    # Where render-nginx.sh expects the release file by default; empty, as the guide
    # installs it (bluegreen.sh fills it on the first switch).
    (tmp_path / "release.conf").write_text("")
    site = subprocess.run(
        [str(DEPLOY / "render-nginx.sh")],
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "LISTEN": "127.0.0.1:8099",
            "WEB_ROOT": str(tmp_path),
            "UPSTREAM_FILE": str(upstream),
            "SNIPPETS_DIR": str(DEPLOY / "nginx"),
        },
    ).stdout
    assert "@@" not in site
    (tmp_path / "erp.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/erp.conf; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_prometheus_config_and_rules_are_valid_and_alert_when_they_should():
    """erp-alerts.test.yml: the backlog alert only where a relay is expected, the webhook
    alert clears once deliveries stop giving up, the relay alerts."""
    promtool = _tool("promtool")
    for args in (
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "erp-alerts.yml"],
        ["test", "rules", "erp-alerts.test.yml"],
    ):
        result = subprocess.run(
            [promtool, *args],
            cwd=DEPLOY / "prometheus",
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_with_the_guides_alerting_block_and_alertmanager_are_valid(tmp_path: Path):
    """What docs/operations/deployment.md installs: prometheus.yml with the alerting block
    appended, the rules beside it, and the example Alertmanager config."""
    promtool, amtool = _tool("promtool"), _tool("amtool")
    installed = (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    installed += (DEPLOY / "alertmanager" / "prometheus-alerting.yml").read_text()
    (tmp_path / "prometheus.yml").write_text(installed)
    shutil.copy(DEPLOY / "prometheus" / "erp-alerts.yml", tmp_path)
    config = yaml.safe_load(installed)
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    for command in (
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        [amtool, "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml")],
    ):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


async def test_dashboard_and_alerts_use_only_exported_metrics(client):
    exported = set(METRIC.findall((await client.get("/metrics")).text))
    dashboard = json.loads((DEPLOY / "grafana" / "erp-engine.json").read_text())
    used = {
        m
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for m in METRIC.findall(target["expr"])
    }
    rules = yaml.safe_load((DEPLOY / "prometheus" / "erp-alerts.yml").read_text())
    used |= {
        m
        for group in rules["groups"]
        for rule in group["rules"]
        for m in METRIC.findall(rule["expr"])
    }
    histogram_parts = {f"{m}_bucket" for m in exported} | {f"{m}_total" for m in exported}
    missing = {m for m in used if m not in exported and m not in histogram_parts}
    assert used
    assert missing == set()
