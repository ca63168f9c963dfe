"""The MTTR_SLACK_* settings: off by default, validation, and the webhook URL kept secret."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from streams.settings import Settings

SECRET = "s3cr3tT0k3n"
URL = f"https://hooks.slack.com/services/T0000/B0000/{SECRET}"


def test_off_by_default() -> None:
    settings = Settings()
    assert settings.slack_webhook_url is None
    assert (settings.slack_rate_per_minute, settings.slack_retry_max_seconds) == (20, 60.0)
    assert (settings.slack_min_severity, settings.slack_max_age_s) == ("low", 3600)
    assert settings.slack_link_template is None


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTTR_SLACK_WEBHOOK_URL", URL)
    monkeypatch.setenv("MTTR_SLACK_RATE_PER_MINUTE", "30")
    monkeypatch.setenv("MTTR_SLACK_MIN_SEVERITY", "high")
    monkeypatch.setenv(
        "MTTR_SLACK_LINK_TEMPLATE", "https://g.example/d/x?var-incident={incident_id}"
    )
    settings = Settings()
    assert isinstance(settings.slack_webhook_url, SecretStr)
    assert settings.slack_webhook_url.get_secret_value() == URL
    assert settings.slack_rate_per_minute == 30
    assert settings.slack_min_severity == "high"
    assert settings.slack_link_template == "https://g.example/d/x?var-incident={incident_id}"


@pytest.mark.parametrize("render", [repr, str, lambda s: s.model_dump_json()])
def test_webhook_url_never_rendered(render: object) -> None:
    text = render(Settings(slack_webhook_url=URL))  # type: ignore[arg-type, operator]
    assert SECRET not in text
    assert "hooks.slack.com" not in text


@pytest.mark.parametrize("url", ["hooks.slack.com/services/x", f"ftp://h/{SECRET}", "https:///x"])
def test_bad_webhook_url_is_rejected_without_showing_it(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(slack_webhook_url=url)  # type: ignore[arg-type]
    errors = info.value.errors(include_url=False, include_input=False)  # as `load_settings`
    assert errors[0]["msg"] == (
        "Value error, slack_webhook_url must be an http(s) URL with a host (value not shown)"
    )
    assert SECRET not in str(errors)


@pytest.mark.parametrize(
    "template",
    [
        "https://g.example/{incident}",  # unknown name
        "https://g.example/{}",  # positional
        "https://g.example/{incident_id",  # unbalanced
        "https://g.example/{service.name}",
        "ftp://g.example/{incident_id}",
        "/d/x?var-incident={incident_id}",  # not absolute
    ],
)
def test_bad_link_templates_are_rejected(template: str) -> None:
    with pytest.raises(ValidationError, match="slack_link_template"):
        Settings(slack_link_template=template)


def test_empty_link_template_means_none() -> None:
    assert Settings(slack_link_template="  ").slack_link_template is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slack_rate_per_minute", 0),
        ("slack_rate_per_minute", 601),
        ("slack_retry_max_seconds", 0),
        ("slack_max_age_s", 0),
        ("slack_min_severity", "urgent"),
    ],
)
def test_out_of_range(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})  # type: ignore[arg-type]
