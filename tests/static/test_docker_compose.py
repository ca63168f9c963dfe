"""Static checks of docker-compose.yml, the Dockerfile and Grafana provisioning (no Docker)."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from streams.devtools.clickhouse.config import READER
from streams.settings import ENV_PREFIX, Settings
from streams.storage.clickhouse import MIN_SERVER_VERSION
from tests.support.paths import ROOT

PROVISIONING = ROOT / "grafana" / "provisioning"
DS_TYPE, DS_UID = "grafana-clickhouse-datasource", "mttr-clickhouse"
IMAGES = {
    "kafka": "apache/kafka",
    "clickhouse": "clickhouse/clickhouse-server",
    "migrate": "mttr-streams",
    "worker": "mttr-streams",
    "gateway": "mttr-streams",
    "grafana": "grafana/grafana",
}
PUBLISHED = {"kafka": 9092, "clickhouse": 8123, "worker": 6066, "gateway": 8080, "grafana": 3000}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
ENV_REF = re.compile(r"^\$\{[A-Z][A-Z0-9_]*(:?[-?][^}]*)?\}$")  # ${VAR}, ${VAR:-dflt}, ${VAR:?msg}
REQUIRED_REF = re.compile(r"^\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}$")  # ${VAR:?set it}: no default


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(ROOT / "docker-compose.yml")


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def env_of(service: dict) -> dict[str, str]:
    """Return a service's environment whether written as a mapping or a KEY=VALUE list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def published_ports(service: dict) -> set[int]:
    ports = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.add(int(port.get("published", 0)))
        elif len(parts := str(port).split("/")[0].split(":")) >= 2:  # [ip:]host:container
            ports.add(int(parts[-2]))
    return ports


def mounts(service: dict) -> list[tuple[str, str]]:
    """Return (source, target) of each volume, short or long syntax ("" = anonymous)."""
    out = []
    for vol in service.get("volumes", []):
        parts = [vol.get("source", ""), vol["target"]] if isinstance(vol, dict) else vol.split(":")
        out.append((parts[0], parts[1]) if len(parts) > 1 else ("", parts[0]))
    return out


def test_services_use_expected_images(services):
    for name, prefix in IMAGES.items():
        assert name in services, f"service {name!r} missing from docker-compose.yml"
        image = services[name].get("image", "")
        assert image.startswith(prefix), f"{name}: image {image!r} should start with {prefix!r}"
    for name in ("migrate", "worker"):
        assert services[name].get("build"), f"{name} must be built from the Dockerfile"


def test_ports_are_published(services):
    for name, port in PUBLISHED.items():
        got = published_ports(services[name])
        assert port in got, f"{name}: host port {port} not published (got {sorted(got)})"


def test_named_volumes_declared_and_used(compose, services):
    declared = set(compose.get("volumes") or {})
    used = {
        src
        for svc in services.values()
        for src, _ in mounts(svc)
        if src and not src.startswith((".", "/", "~", "$"))
    }
    assert used <= declared, f"named volumes used but not declared: {sorted(used - declared)}"
    assert declared <= used, f"named volumes declared but unused: {sorted(declared - used)}"
    targets = {name: {dst for _, dst in mounts(services[name])} for name in services}
    for name, path in [
        ("kafka", "/var/lib/kafka/data"),
        ("clickhouse", "/var/lib/clickhouse"),
        ("worker", "/var/lib/mttr"),
        ("grafana", "/var/lib/grafana"),
    ]:
        assert path in targets[name], f"{name}: no volume mounted at {path}"
    assert (ROOT / "sql").is_dir(), "sql/ directory missing"
    # sql/ is applied at every start by the migrate service (the image ships sql/).
    assert services["migrate"].get("command") == ["migrate"], "migrate service must run `migrate`"
    assert "COPY sql" in (ROOT / "Dockerfile").read_text(encoding="utf-8"), "image must ship sql/"


def test_mttr_env_vars_are_known_settings(services):
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    names = {(name, key) for name, svc in services.items() for key in env_of(svc)}
    names |= {("Dockerfile", key) for key in re.findall(r"\b(MTTR_[A-Z0-9_]+)=", dockerfile)}
    unknown = sorted(
        f"{svc}: {key}"
        for svc, key in names
        if key.startswith(ENV_PREFIX)
        and key[len(ENV_PREFIX) :].lower() not in Settings.model_fields
    )
    assert not unknown, f"MTTR_* variables that no Settings field reads (typos?): {unknown}"


def test_worker_and_migrate_environment(services):
    ch_user = env_of(services["clickhouse"])["CLICKHOUSE_USER"]
    for name in ("migrate", "worker"):
        env = env_of(services[name])
        url = urlsplit(env.get("MTTR_CLICKHOUSE_URL", ""))
        assert url.scheme == "http" and url.hostname == "clickhouse", f"{name}: bad CH URL {url}"
        assert url.username == ch_user, f"{name}: URL user {url.username!r} != {ch_user!r}"
        assert "MTTR_CLICKHOUSE_PASSWORD" in env, f"{name}: MTTR_CLICKHOUSE_PASSWORD missing"
    worker = env_of(services["worker"])
    host = worker.get("MTTR_KAFKA_BOOTSTRAP", "").split(":")[0]
    assert host == "kafka", f"worker: MTTR_KAFKA_BOOTSTRAP should point at kafka, got {host!r}"
    assert worker.get("MTTR_WEB_HOST") == "0.0.0.0", "worker: web interface must bind 0.0.0.0"
    assert services["migrate"]["command"] == ["migrate"], "migrate must run `mttr migrate`"
    gateway = env_of(services["gateway"])
    assert services["gateway"]["command"] == ["gateway"], "gateway must run `mttr gateway`"
    assert gateway.get("MTTR_KAFKA_BOOTSTRAP", "").split(":")[0] == "kafka"
    assert gateway.get("MTTR_GATEWAY_HOST") == "0.0.0.0", "gateway must bind 0.0.0.0"
    assert str(gateway.get("MTTR_GATEWAY_PORT")) == "8080"


def test_depends_on_conditions(services):
    for name, svc in services.items():
        deps = svc.get("depends_on") or {}
        deps = dict.fromkeys(deps, {}) if isinstance(deps, list) else deps
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep!r}"
            cond = spec.get("condition", "service_started")
            assert cond in CONDITIONS, f"{name} -> {dep}: unknown condition {cond!r}"
            if cond == "service_healthy":
                assert services[dep].get("healthcheck"), f"{dep} needs a healthcheck for {name}"
    worker = services["worker"]["depends_on"]
    assert worker["kafka"]["condition"] == "service_healthy"
    assert worker["migrate"]["condition"] == "service_completed_successfully"
    assert str(services["migrate"].get("restart")) == "no", "migrate is a one-shot job"


def test_no_literal_secrets(services):
    for name, svc in services.items():
        for key, value in env_of(svc).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert ENV_REF.match(value), f"{name}: {key} must be ${{VAR:?...}}, not literal"
            if "PASSWORD" in key:  # no default password: compose refuses to start without it
                assert REQUIRED_REF.match(value), f"{name}: {key} must be ${{VAR:?set it}}"
            if "://" in value:
                assert urlsplit(value).password is None, f"{name}: {key} URL embeds a password"


def test_grafana_datasource(services):
    doc = load_yaml(PROVISIONING / "datasources" / "clickhouse.yaml")
    ds = {d["uid"]: d for d in doc["datasources"]}.get(DS_UID)
    assert ds and ds["type"] == DS_TYPE, f"datasource {DS_UID!r} of type {DS_TYPE!r} missing"
    data, ch_env = ds["jsonData"], env_of(services["clickhouse"])
    assert (data["host"], data["port"], data["protocol"]) == ("clickhouse", 8123, "http")
    assert data["username"] == READER != ch_env["CLICKHOUSE_USER"], "Grafana reads as the reader"
    assert data["defaultDatabase"] == "mttr"
    password = ds["secureJsonData"]["password"]
    assert password in ("$CLICKHOUSE_READER_PASSWORD", "${CLICKHOUSE_READER_PASSWORD}")
    gf_env = env_of(services["grafana"])
    assert "CLICKHOUSE_READER_PASSWORD" in gf_env, "grafana needs the reader's password"
    assert "CLICKHOUSE_PASSWORD" not in gf_env, "grafana must not get the writer's password"
    assert "GF_INSTALL_PLUGINS" not in gf_env, "GF_INSTALL_PLUGINS is deprecated"
    plugin = gf_env.get("GF_PLUGINS_PREINSTALL_SYNC", "")
    assert re.fullmatch(rf"{DS_TYPE}@\d+\.\d+\.\d+", plugin), f"pin the plugin: {plugin!r}"
    assert ("./grafana/provisioning", "/etc/grafana/provisioning") in mounts(services["grafana"])


def test_grafana_dashboards(services):
    doc = load_yaml(PROVISIONING / "dashboards" / "mttr.yaml")
    path = doc["providers"][0]["options"]["path"]
    local = PROVISIONING / Path(path).relative_to("/etc/grafana/provisioning")
    files = sorted(local.glob("*.json"))
    assert files, f"no dashboard JSON in {local}"
    for file in files:
        dashboard = json.loads(file.read_text(encoding="utf-8"))
        assert dashboard.get("uid") and dashboard.get("panels"), f"{file.name}: no uid/panels"
        uids = set(re.findall(r'"uid":\s*"([^"]+)"', json.dumps(dashboard["panels"])))
        assert uids == {DS_UID}, f"{file.name}: panels use datasource uids {uids}"
    home = env_of(services["grafana"]).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home:  # the container path must be one of the provisioned files
        assert PROVISIONING / Path(home).relative_to("/etc/grafana/provisioning") in files, home


def test_dockerfile():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M), "base must be python:3.11-slim"
    assert re.search(r'^ENTRYPOINT \["mttr"\]\s*$', text, re.M), 'needs ENTRYPOINT ["mttr"]'
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "image must run as non-root"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests"} <= set(ignored), ".dockerignore incomplete"


def test_images_are_the_versions_the_tests_run(services):
    """Kafka = the local broker's version; ClickHouse = the chdb-core engine's major.minor."""
    kafka = services["kafka"]["image"].split(":", 1)[1]
    assert kafka == Settings().kafka_version, f"kafka image {kafka} != local broker"
    engine = ".".join(metadata.version("chdb-core").split(".")[:2])
    clickhouse = services["clickhouse"]["image"].split(":", 1)[1]
    assert clickhouse == engine, f"clickhouse image {clickhouse} != tested engine {engine}"
    assert clickhouse == MIN_SERVER_VERSION, "the documented minimum is the tested engine"
    grafana = services["grafana"]["image"].split(":", 1)[1]
    assert re.fullmatch(r"\d+\.\d+\.\d+", grafana), f"pin grafana to a version: {grafana}"


def test_clickhouse_declares_the_read_only_user(services):
    mounted = dict(mounts(services["clickhouse"]))
    source = "./clickhouse/users.d/mttr-reader.xml"
    assert mounted.get(source) == "/etc/clickhouse-server/users.d/mttr-reader.xml"
    users = (ROOT / source).read_text(encoding="utf-8")
    assert f"<{READER}>" in users and "<readonly>2</readonly>" in users
    assert '<password from_env="CLICKHOUSE_READER_PASSWORD"/>' in users
    assert REQUIRED_REF.match(env_of(services["clickhouse"])["CLICKHOUSE_READER_PASSWORD"])


def test_gateway_is_not_open_on_every_interface_without_a_token(services):
    """Routes without a vendor signature are open while MTTR_GATEWAY_TOKEN is unset."""
    (port,) = services["gateway"]["ports"]
    bind = str(port).rsplit(":", 2)[0]
    assert bind == "${GATEWAY_BIND:-127.0.0.1}", f"gateway published as {port!r}"
    assert env_of(services["gateway"])["MTTR_GATEWAY_TOKEN"] == "${GATEWAY_TOKEN:-}"
