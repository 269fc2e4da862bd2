"""Settings: option > VERIFIER_* variable > verifier.toml beside the claims > default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verifier.errors import ExitCode, SettingsError
from verifier.settings import HostOverride, Settings, load_settings, parse_duration


def test_defaults() -> None:
    settings = load_settings({}, {})
    assert settings == Settings()
    assert settings.db_path() == Path("verifier.db")
    assert settings.cache_path() == Path("cache")
    assert settings.effective_user_agent().startswith("verifier/")
    assert settings.now is None


def test_precedence(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    (tmp_path / "verifier.toml").write_text(
        'timeout = "5s"\nper-host = 4\nconcurrency = 8\ncontact = "ops@example.org"\n',
        encoding="utf-8",
    )
    environ = {"VERIFIER_PER_HOST": "3", "VERIFIER_CONCURRENCY": "16"}
    settings = load_settings({"claims": str(claims), "concurrency": "64"}, environ)
    assert settings.timeout == 5.0  # from the file
    assert settings.per_host == 3  # the environment beats the file
    assert settings.concurrency == 64  # the option beats both
    assert settings.effective_user_agent().endswith("(+ops@example.org)")


def test_config_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text('[verifier]\ndb = "history/v.db"\n', encoding="utf-8")
    settings = load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    assert settings.db_path() == tmp_path / "history" / "v.db"


def test_database_defaults_beside_the_claims_never_in_the_cache(tmp_path: Path) -> None:
    settings = load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    assert settings.db_path() == tmp_path / "verifier.db"
    assert settings.cache_path() == tmp_path / "cache"
    assert settings.cache_path() not in settings.db_path().parents
    directory = load_settings({"claims": str(tmp_path)}, {})
    assert directory.db_path() == tmp_path / "verifier.db"


def test_clock_and_resolve_from_the_environment() -> None:
    settings = load_settings({}, {
        "VERIFIER_NOW": "2026-03-01T12:00:00",
        "VERIFIER_RESOLVE": "example.org:443:127.0.0.2, other.test:127.0.0.3,v6.test:80:[::1]",
    })
    assert settings.now == dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    assert settings.current_time() == settings.now
    assert settings.resolve == (
        HostOverride("example.org", 443, "127.0.0.2"),
        HostOverride("other.test", None, "127.0.0.3"),
        HostOverride("v6.test", 80, "::1"),
    )


@pytest.mark.parametrize(
    ("value", "seconds"), [("20", 20.0), (3, 3.0), ("500ms", 0.5), ("2m", 120.0), ("7d", 604800.0)]
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("options", "environ", "message"),
    [
        ({"timeout": "soon"}, {}, "option --timeout: not a duration: 'soon'"),
        ({"timeout": "0"}, {}, "option --timeout: must be more than 0, not '0'"),
        ({}, {"VERIFIER_CONCURRENCY": "0"}, "VERIFIER_CONCURRENCY: concurrency: must be more than 0"),
        ({}, {"VERIFIER_PER_HOST": "-1"}, "VERIFIER_PER_HOST: per-host: cannot be negative"),
        ({}, {"VERIFIER_NOW": "yesterday"}, "VERIFIER_NOW: now: not an ISO 8601 date-time"),
        ({}, {"VERIFIER_RESOLVE": "nonsense"}, "VERIFIER_RESOLVE: resolve: bad host override"),
        ({"colour": "red"}, {}, "unknown setting 'colour'"),
    ],
)
def test_bad_settings_say_where_and_what(
    options: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(options, environ)
    assert message in str(caught.value)
    assert caught.value.exit_code == ExitCode.BAD_INPUT


def test_bad_config_file(tmp_path: Path) -> None:
    config = tmp_path / "verifier.toml"
    config.write_text("timeout = [\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="invalid TOML"):
        load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    config.write_text("timout = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"verifier.toml: unknown setting 'timout'"):
        load_settings({"claims": str(tmp_path / "claims.yaml")}, {})


def test_domain_rules_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text(
        '[domains."example.org"]\nignore = "checked by hand"\n\n'
        '[domains."news.example.com"]\naccept = [403]\nheaders = { Cookie = "consent=yes" }\n'
        'per-host = 1\nhost-interval = "2s"\n\n[domains."example.com"]\naccept = [401]\n',
        encoding="utf-8",
    )
    settings = load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    rule = settings.rule_for("www.example.org")
    assert rule is not None and rule.ignore == "checked by hand"
    news = settings.rule_for("NEWS.example.com")
    assert news is not None
    assert (news.accept, news.per_host, news.host_interval) == ((403,), 1, 2.0)
    assert news.headers == (("Cookie", "consent=yes"),)
    other = settings.rule_for("example.com")
    assert other is not None and other.accept == (401,)
    assert settings.rule_for("example.net") is None
    assert settings.rule_for("notexample.org") is None


def test_bad_domain_rule(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text(
        '[domains."example.org"]\nacept = [403]\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match=r"domains.example.org: unknown key 'acept'"):
        load_settings({"claims": str(tmp_path / "claims.yaml")}, {})


def test_config_keys_beside_and_inside_the_verifier_table(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text(
        '[verifier]\ntimeout = "5s"\n\n[domains."example.org"]\nignore = "by hand"\n',
        encoding="utf-8")
    settings = load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    assert settings.timeout == 5.0
    rule = settings.rule_for("example.org")
    assert rule is not None and rule.ignore == "by hand"


def test_config_key_typo_is_caught_even_before_the_verifier_table(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text('timout = 3\n[verifier]\nretries = 1\n',
                                           encoding="utf-8")
    with pytest.raises(SettingsError, match=r"unknown setting 'timout' \(did you mean 'timeout'\?\)"):
        load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
    (tmp_path / "verifier.toml").write_text('retries = 3\n[verifier]\nretries = 1\n',
                                           encoding="utf-8")
    with pytest.raises(SettingsError, match="'retries' is set twice"):
        load_settings({"claims": str(tmp_path / "claims.yaml")}, {})
