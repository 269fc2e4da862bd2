"""One Settings object for every command.

Precedence, highest first: command-line option > `VERIFIER_*` environment variable >
`verifier.toml` beside the claims file > the defaults below. Each field documents itself
(`help` metadata); `settings_markdown()` renders the README's settings table from them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

from verifier import __version__
from verifier.addresses import AddressPolicy, policy_for
from verifier.archive_formats import (
    DEFAULT_ARCHIVES,
    ArchiveEndpoint,
    pywb_endpoint,
    wayback_endpoint,
)
from verifier.errors import SettingsError

CONFIG_NAME = "verifier.toml"
UNRESOLVABLE = "-"  # the address in a `resolve` entry that makes its host fail to resolve
DB_NAME = "verifier.db"


def _doc(help: str, kind: str, positive: bool = False) -> Any:
    return {"help": help, "kind": kind, "positive": positive}


@dataclass(frozen=True)
class HostOverride:
    """Send requests for `host` (and `port`, when given) to `address`, like curl --resolve."""

    host: str
    port: int | None
    address: str


@dataclass(frozen=True)
class DomainRule:
    """Overrides for one domain and its subdomains (`[domains."example.org"]` in verifier.toml)."""

    domain: str
    ignore: str | None = None  # the reason its URLs are not checked
    accept: tuple[int, ...] = ()  # HTTP statuses that count as ok for this domain
    headers: tuple[tuple[str, str], ...] = ()  # extra request headers
    per_host: int | None = None
    host_interval: float | None = None

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host == self.domain or host.endswith("." + self.domain)


# Politeness towards the archives, unless a [domains] rule says otherwise. The Internet Archive
# serves CDX and TimeMaps from one pool of about 24 requests a minute and blocks clients that
# keep going after 429s (see archive.py); one request at a time, 2.5 s apart, stays below.
ARCHIVE_RULES = (
    DomainRule("web.archive.org", per_host=1, host_interval=2.5),
    DomainRule("archive.org", per_host=1, host_interval=2.5),
    DomainRule("arquivo.pt", per_host=1, host_interval=1.0),
    DomainRule("webarchive.loc.gov", per_host=1, host_interval=1.0),
)


@dataclass(frozen=True)
class Settings:
    """Everything a run may be told: paths, network limits, endpoints, the clock."""

    claims: Path = field(default=Path("claims.yaml"), metadata=_doc(
        "Claims file, or a directory of claims files (*.yaml, *.yml).", "path"))
    db: Path | None = field(default=None, metadata=_doc(
        "History database. Default: `verifier.db` beside the claims file "
        "(inside it, for a directory). Never under the cache.", "path"))
    cache_dir: Path | None = field(default=None, metadata=_doc(
        "Disposable cache of fetched bodies. Default: `cache/` beside the claims file.", "path"))
    reports_dir: Path | None = field(default=None, metadata=_doc(
        "Where reports are written. Default: `reports/` beside the claims file.", "path"))
    timeout: float = field(default=20.0, metadata=_doc(
        "Total deadline for one HTTP request, headers and body included (seconds; "
        "`500ms`, `2m` also work).", "duration", positive=True))
    connect_timeout: float = field(default=10.0, metadata=_doc(
        "Deadline for opening a connection (seconds).", "duration", positive=True))
    run_deadline: float = field(default=0.0, metadata=_doc(
        "Deadline for a whole `check` or `audit` run (`2h`), every stage included: when it "
        "passes, the requests in flight are cancelled, the run is recorded as `deadline` with "
        "every check it finished, and the summary and reports are still written, in at most "
        "60 s more. 0 is no deadline.", "duration"))
    max_body_bytes: int = field(default=10_000_000, metadata=_doc(
        "Largest body read, counted both compressed and decompressed.", "int", positive=True))
    max_redirects: int = field(default=10, metadata=_doc("Most redirects followed.", "int"))
    concurrency: int = field(default=32, metadata=_doc(
        "Requests in flight at once, over all hosts.", "int", positive=True))
    per_host: int = field(default=2, metadata=_doc(
        "Requests in flight at once to one host.", "int", positive=True))
    host_interval: float = field(default=0.5, metadata=_doc(
        "Least time between the starts of two requests to one host (seconds).", "duration"))
    retries: int = field(default=2, metadata=_doc(
        "Extra attempts after a transient failure (connect error, 5xx, 429, timeout).", "int"))
    retry_backoff: float = field(default=1.0, metadata=_doc(
        "First wait before a retry; each later wait doubles, plus up to 50% random jitter.",
        "duration"))
    retry_after_max: float = field(default=60.0, metadata=_doc(
        "Longest `Retry-After` honoured; a server asking for more is not retried.", "duration"))
    dead_strikes: int = field(default=3, metadata=_doc(
        "Strikes (checks that found the source gone) before a URL is confirmed dead.", "int",
        positive=True))
    dead_after: float = field(default=3 * 86400.0, metadata=_doc(
        "Least time between the first and last of those strikes (`3d`).", "duration"))
    max_age: float = field(default=0.0, metadata=_doc(
        "Skip URLs found alive more recently than this (`7d`); failing and inconclusive URLs "
        "are checked every run. 0 checks everything.", "duration"))
    domains: tuple[DomainRule, ...] = field(default=(), metadata=_doc(
        "Per-domain overrides, as `[domains.\"example.org\"]` tables in verifier.toml with "
        "`ignore` (a reason), `accept` (statuses counted as ok), `headers`, `per-host`, "
        "`host-interval`; in the environment, the same as JSON.", "domains"))
    contact: str = field(default="", metadata=_doc(
        "A URL or e-mail address put in the User-Agent so site owners can reach you.", "str"))
    user_agent: str = field(default="", metadata=_doc(
        "User-Agent header. Default: `verifier/VERSION (+CONTACT)`.", "str"))
    wikipedia_api: str = field(default="https://{lang}.wikipedia.org/api/rest_v1", metadata=_doc(
        "Base of the Wikipedia REST API used by `extract URL`; `{lang}` is the wiki's "
        "language code, taken from the page URL.", "str"))
    wayback_url: str = field(default="https://web.archive.org", metadata=_doc(
        "Base URL of the Wayback Machine.", "str"))
    doi_resolver: str = field(default="https://doi.org", metadata=_doc(
        "Resolver that turns a DOI into a URL.", "str"))
    archives: tuple[ArchiveEndpoint, ...] = field(default=(), metadata=_doc(
        "Archives searched for copies, in order of preference: `[[archives]]` tables in "
        "verifier.toml with `name`, `kind` (`wayback`: a CDX API; `memento`: a TimeMap), "
        "`cdx-url`, `timemap-url` (with `{url}`), `replay-url` and `raw-url` (with "
        "`{timestamp}` and `{url}`), `cdx-dialect` (`ia` or `pywb`), `availability-url`; "
        "or a `pywb = \"http://host/collection\"` shorthand; in the environment, the same as "
        "JSON. Default: the Wayback Machine at `wayback-url`, Arquivo.pt, the Library of "
        "Congress.", "archives"))
    archive_expiry: float = field(default=7 * 86400.0, metadata=_doc(
        "Ask the archives again about a URL after this long when they had no copy or could "
        "not be asked; a copy found is kept for good.", "duration"))
    archive_deadline: float = field(default=60.0, metadata=_doc(
        "Most time one URL's lookup may take over all archives.", "duration", positive=True))
    spn_url: str = field(default="https://web.archive.org/save", metadata=_doc(
        "Save Page Now endpoint, used by `check --save-live` (keys from "
        "`VERIFIER_IA_ACCESS_KEY` and `VERIFIER_IA_SECRET_KEY`, never stored).", "str"))
    spn_poll_interval: float = field(default=5.0, metadata=_doc(
        "Time between two polls of a Save Page Now job (it is given up after 2 minutes).",
        "duration", positive=True))
    text_timeout: float = field(default=20.0, metadata=_doc(
        "Most time reading one fetched document's text may take (its worker process is then "
        "killed and the source is unreadable).", "duration", positive=True))
    text_memory: int = field(default=1 << 30, metadata=_doc(
        "Most memory (bytes) a worker process reading one document may use.", "int",
        positive=True))
    text_workers: int = field(default=2, metadata=_doc(
        "Worker processes reading documents' text at once.", "int", positive=True))
    resolve: tuple[HostOverride, ...] = field(default=(), metadata=_doc(
        "Host-to-address map, like `curl --resolve`: `HOST:PORT:ADDRESS` or `HOST:ADDRESS`, "
        "comma-separated in the environment, a list in verifier.toml. The address `-` makes "
        "the host fail to resolve, without asking any DNS server (to rehearse an outage).",
        "resolve"))
    allow_private: bool = field(default=False, metadata=_doc(
        "Fetch internal addresses too: loopback, private, link-local, carrier-grade NAT and "
        "other addresses that are not globally routable. Off by default: such a URL is not "
        "fetched and gets the status `refused_address`; the hosts of `resolve` and the "
        "configured endpoints (archives, wayback-url, doi-resolver, wikipedia-api, spn-url) "
        "are allowed all the same, each for its own host and port.", "bool"))
    now: dt.datetime | None = field(default=None, metadata=_doc(
        "The clock: an ISO 8601 date-time used as 'now' instead of the system clock "
        "(for building histories that span days).", "datetime"))

    def rule_for(self, host: str) -> DomainRule | None:
        """The most specific domain rule that covers `host`; the built-in archive rules last."""
        for rules in (self.domains, ARCHIVE_RULES):
            matching = [r for r in rules if r.matches(host)]
            if matching:
                return max(matching, key=lambda r: len(r.domain))
        return None

    def address_policy(self) -> AddressPolicy:
        """Which addresses requests may reach (see verifier/addresses.py)."""
        endpoints = [self.wayback_url, self.doi_resolver, self.wikipedia_api, self.spn_url]
        for archive in self.archive_endpoints():
            endpoints += [u for u in (archive.cdx_url, archive.timemap_url, archive.replay_url,
                                      archive.raw_url, archive.availability_url) if u]
        return policy_for(self.allow_private, endpoints,
                          [(o.host, o.port) for o in self.resolve])

    def archive_endpoints(self) -> tuple[ArchiveEndpoint, ...]:
        """The archives to search, in order of preference."""
        if self.archives:
            return self.archives
        return (wayback_endpoint(self.wayback_url), *DEFAULT_ARCHIVES[1:])

    def effective_user_agent(self) -> str:
        if self.user_agent:
            return self.user_agent
        contact = f" (+{self.contact})" if self.contact else ""
        return f"verifier/{__version__}{contact}"

    def current_time(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.timezone.utc)

    def _base_dir(self) -> Path:
        return self.claims if self.claims.is_dir() else self.claims.parent

    def db_path(self) -> Path:
        return self.db or self._base_dir() / DB_NAME

    def cache_path(self) -> Path:
        return self.cache_dir or self._base_dir() / "cache"

    def reports_path(self) -> Path:
        return self.reports_dir or self._base_dir() / "reports"


# --- parsing -------------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> float:
    """Seconds from a number or a string such as `500ms`, `20s`, `2m`, `7d`."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (write e.g. 20, 500ms, 2m, 7d)")
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    return seconds


def _parse_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not a whole number: {value!r}")
    try:
        number = int(str(value).replace("_", ""))
    except ValueError:
        raise ValueError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise ValueError(f"cannot be negative: {value!r}")
    return number


def _parse_override(text: str) -> HostOverride:
    parts = text.strip().split(":")
    if len(parts) == 2:
        host, port, address = parts[0], None, parts[1]
    elif len(parts) >= 3:  # an IPv6 address keeps its colons: host:port:[::1] or host:port:::1
        host, port_text, address = parts[0], parts[1], ":".join(parts[2:])
        try:
            port = int(port_text) if port_text else None
        except ValueError:
            raise ValueError(f"bad port in {text!r} (write HOST:PORT:ADDRESS)") from None
    else:
        raise ValueError(f"bad host override {text!r} (write HOST:PORT:ADDRESS or HOST:ADDRESS)")
    address = address.strip("[]")
    if not host or not address:
        raise ValueError(f"bad host override {text!r} (write HOST:PORT:ADDRESS or HOST:ADDRESS)")
    return HostOverride(host.lower(), port, address)


def _parse_resolve(value: object) -> tuple[HostOverride, ...]:
    items: list[object]
    if isinstance(value, str):
        items = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValueError(f"expected HOST:PORT:ADDRESS entries, got {value!r}")
    return tuple(v if isinstance(v, HostOverride) else _parse_override(str(v)) for v in items)


_RULE_KEYS = {"ignore", "accept", "headers", "per_host", "host_interval"}


def _parse_rule(domain: str, table: object) -> DomainRule:
    if not isinstance(table, dict):
        raise ValueError(f"domains.{domain}: expected a table")
    values = {k.replace("-", "_"): v for k, v in table.items()}
    unknown = sorted(set(values) - _RULE_KEYS)
    if unknown:
        raise ValueError(f"domains.{domain}: unknown key {unknown[0]!r}")
    accept = values.get("accept", [])
    headers = values.get("headers", {})
    if not isinstance(accept, list) or not all(isinstance(a, int) for a in accept):
        raise ValueError(f"domains.{domain}.accept: expected a list of HTTP statuses")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError(f"domains.{domain}.headers: expected a table of text values")
    ignore = values.get("ignore")
    if ignore is not None and not isinstance(ignore, str):
        raise ValueError(f"domains.{domain}.ignore: expected the reason, as text")
    return DomainRule(
        domain=domain.lower().strip(".").removeprefix("*."),
        ignore=ignore,
        accept=tuple(accept),
        headers=tuple(sorted(headers.items())),
        per_host=_parse_int(values["per_host"]) if "per_host" in values else None,
        host_interval=(
            parse_duration(values["host_interval"]) if "host_interval" in values else None
        ),
    )


def _parse_domains(value: object) -> tuple[DomainRule, ...]:
    if isinstance(value, str):  # from the environment: JSON
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    if isinstance(value, (list, tuple)) and all(isinstance(v, DomainRule) for v in value):
        return tuple(value)
    if not isinstance(value, dict):
        raise ValueError("expected a table of domains")
    return tuple(_parse_rule(domain, table) for domain, table in value.items())


_ARCHIVE_KEYS = {"name", "kind", "cdx_url", "timemap_url", "replay_url", "raw_url",
                 "cdx_dialect", "availability_url", "pywb"}


def _parse_archive(index: int, table: object) -> ArchiveEndpoint:
    if isinstance(table, ArchiveEndpoint):
        return table
    if not isinstance(table, dict):
        raise ValueError(f"archives[{index}]: expected a table")
    values = {k.replace("-", "_"): v for k, v in table.items()}
    unknown = sorted(set(values) - _ARCHIVE_KEYS)
    if unknown:
        raise ValueError(f"archives[{index}]: unknown key {unknown[0]!r}")
    if not all(isinstance(v, str) for v in values.values()):
        raise ValueError(f"archives[{index}]: every value is text")
    name = values.get("name") or f"archive {index + 1}"
    if "pywb" in values:
        return pywb_endpoint(name, values["pywb"])
    kind = values.get("kind")
    if kind not in ("wayback", "memento"):
        raise ValueError(f"archives[{index}].kind: 'wayback' or 'memento', not {kind!r}")
    if kind == "wayback" and not values.get("cdx_url"):
        raise ValueError(f"archives[{index}]: a wayback archive needs cdx-url")
    if kind == "memento" and not values.get("timemap_url"):
        raise ValueError(f"archives[{index}]: a memento archive needs timemap-url")
    if not values.get("replay_url"):
        raise ValueError(f"archives[{index}]: replay-url is needed")
    dialect = values.get("cdx_dialect")
    if dialect not in (None, "ia", "pywb"):
        raise ValueError(f"archives[{index}].cdx-dialect: 'ia' or 'pywb', not {dialect!r}")
    return ArchiveEndpoint(name, kind, values.get("cdx_url"), values.get("timemap_url"),
                           values["replay_url"], values.get("raw_url"),
                           cdx_dialect=dialect or ("ia" if kind == "wayback" else None),
                           availability_url=values.get("availability_url"))


def _parse_archives(value: object) -> tuple[ArchiveEndpoint, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of archives")
    return tuple(_parse_archive(i, table) for i, table in enumerate(value))


def _parse_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not true or false: {value!r} (write true, false, 1 or 0)")


def _parse_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _parse_path(value: object) -> Path:
    if not isinstance(value, (str, Path)) or not str(value):
        raise ValueError(f"expected a path, got {value!r}")
    return Path(value).expanduser()


_PARSERS: dict[str, Callable[[object], object]] = {
    "path": _parse_path,
    "duration": parse_duration,
    "int": _parse_int,
    "str": _parse_str,
    "bool": _parse_bool,
    "resolve": _parse_resolve,
    "datetime": _parse_datetime,
    "domains": _parse_domains,
    "archives": _parse_archives,
}


def env_name(name: str) -> str:
    return "VERIFIER_" + name.upper()


def _convert(name: str, value: object, origin: str) -> object:
    meta = _FIELDS[name].metadata
    try:
        converted = _PARSERS[meta["kind"]](value)
        if meta.get("positive") and isinstance(converted, (int, float)) and converted <= 0:
            raise ValueError(f"must be more than 0, not {value!r}")
        return converted
    except ValueError as exc:
        where = origin if origin.startswith("option --") else f"{origin}: {name.replace('_', '-')}"
        raise SettingsError(f"{where}: {exc}") from None


_FIELDS = {f.name: f for f in fields(Settings)}


def _read_config(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror}") from None
    # Settings may stand at the top level, under [verifier], or both (with [domains...] tables
    # beside [verifier]); every key counts, and a key given twice is an error.
    section = data.pop("verifier", {})
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: [verifier] must be a table")
    values: dict[str, object] = {}
    for key, value in [*data.items(), *section.items()]:
        name = key.replace("-", "_")
        if name not in _FIELDS or name == "claims":
            known = [f.replace("_", "-") for f in _FIELDS if f != "claims"]
            hint = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
            suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise SettingsError(f"{path}: unknown setting {key!r}{suffix}")
        if name in values:
            raise SettingsError(f"{path}: {key!r} is set twice")
        values[name] = value
    return values


def load_settings(
    options: Mapping[str, object | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings from command-line options, the environment and verifier.toml."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    for name in options:
        if name not in _FIELDS:
            raise SettingsError(f"unknown setting {name!r}")

    values: dict[str, object] = {}
    # The claims path decides where verifier.toml is, so it is resolved first.
    if "claims" in options:
        values["claims"] = _convert("claims", options["claims"], "option --claims")
    elif env_name("claims") in environ:
        values["claims"] = _convert("claims", environ[env_name("claims")], env_name("claims"))
    claims = values.get("claims", Settings.claims)
    assert isinstance(claims, Path)
    config = (claims if claims.is_dir() else claims.parent) / CONFIG_NAME
    if config.is_file():
        for name, value in _read_config(config).items():
            converted = _convert(name, value, str(config))
            if isinstance(converted, Path) and not converted.is_absolute():
                converted = config.parent / converted  # relative to the file that names it
            values[name] = converted
    for name in _FIELDS:
        if env_name(name) in environ and name != "claims":
            values[name] = _convert(name, environ[env_name(name)], env_name(name))
    for name, value in options.items():
        values[name] = _convert(name, value, f"option --{name.replace('_', '-')}")
    return replace(Settings(), **cast(dict[str, Any], values))


def settings_markdown() -> str:
    """The README's table of settings, rendered from the dataclass."""
    rows = [
        "| setting | environment | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for f in fields(Settings):
        default = f.default
        if isinstance(default, tuple):
            shown = "(none)" if not default else repr(default)
        elif default is None or default == "":
            shown = "(see meaning)"
        else:
            shown = f"`{default}`"
        key = f.name.replace("_", "-")
        rows.append(f"| `{key}` | `{env_name(f.name)}` | {shown} | {f.metadata['help']} |")
    return "\n".join(rows) + "\n"
