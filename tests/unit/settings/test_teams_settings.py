"""The MTTR_TEAMS_* settings: off by default, validation, and the signed URL kept secret."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from streams.settings import Settings, TeamsSettings

SIG = "Zk3y-S1gn4tur3_s3cr3t"
URL = (
    "https://prod-12.westeurope.logic.azure.com:443/workflows/4a7c/triggers/manual/paths/invoke"
    f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}"
)


def test_off_by_default() -> None:
    settings = Settings()
    assert settings.teams_webhook_url is None
    assert (settings.teams_rate_per_minute, settings.teams_min_severity) == (20, "low")
    assert settings.teams_link_template is None


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_TEAMS_WEBHOOK_URL", URL)
    monkeypatch.setenv("MTTR_TEAMS_RATE_PER_MINUTE", "6")
    monkeypatch.setenv("MTTR_TEAMS_MIN_SEVERITY", "critical")
    monkeypatch.setenv(
        "MTTR_TEAMS_LINK_TEMPLATE", "https://g.example/d/x?var-incident={incident_id}"
    )
    for settings in (Settings(), TeamsSettings()):
        assert isinstance(settings.teams_webhook_url, SecretStr)
        assert settings.teams_webhook_url.get_secret_value() == URL  # exactly, still encoded
        assert settings.teams_rate_per_minute == 6
        assert settings.teams_min_severity == "critical"
        assert settings.teams_link_template == "https://g.example/d/x?var-incident={incident_id}"


@pytest.mark.parametrize("render", [repr, str, lambda s: s.model_dump_json()])
def test_webhook_url_never_rendered(render: object) -> None:
    text = render(Settings(teams_webhook_url=URL))  # type: ignore[arg-type, operator]
    assert SIG not in text
    assert "logic.azure.com" not in text


@pytest.mark.parametrize(
    "url", ["prod-12.logic.azure.com/workflows/x", f"ftp://h/?sig={SIG}", "https:///x"]
)
def test_bad_webhook_url_is_rejected_without_showing_it(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(teams_webhook_url=url)  # type: ignore[arg-type]
    errors = info.value.errors(include_url=False, include_input=False)  # as `load_settings`
    assert errors[0]["msg"] == (
        "Value error, teams_webhook_url must be an http(s) URL with a host (value not shown)"
    )
    assert SIG not in str(errors)


def test_slack_and_teams_checks_both_apply() -> None:
    """Each group's validators have their own names: none hides the other's in ``Settings``."""
    with pytest.raises(ValidationError) as info:
        Settings(slack_webhook_url="nope", teams_webhook_url="nope")  # type: ignore[arg-type]
    assert [e["loc"] for e in info.value.errors()] == [
        ("slack_webhook_url",),
        ("teams_webhook_url",),
    ]


@pytest.mark.parametrize(
    "template", ["https://g.example/{incident}", "https://g.example/{}", "/d/x?i={incident_id}"]
)
def test_bad_link_templates_are_rejected(template: str) -> None:
    with pytest.raises(ValidationError, match="teams_link_template"):
        Settings(teams_link_template=template)


def test_empty_link_template_means_none() -> None:
    assert Settings(teams_link_template="  ").teams_link_template is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("teams_rate_per_minute", 0), ("teams_rate_per_minute", 601), ("teams_min_severity", "p1")],
)
def test_out_of_range(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})  # type: ignore[arg-type]
