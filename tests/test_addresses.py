"""The internal-address rule, as pure functions: notations, embedded IPv4, allowances."""

from __future__ import annotations

import ipaddress

import pytest

from verifier.addresses import (
    AddressPolicy,
    embedded_ipv4,
    endpoint,
    host_address,
    policy_for,
    refusal,
)
from verifier.settings import load_settings

LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.1", "0x7f.1", "0x7F.0.0.1", "0177.0.0.1", "0177.1", "2130706433",
    "0x7f000001", "017700000001", "127.0.1", "127.0.0.1.",
])
def test_every_ipv4_notation_inet_aton_reads_is_read_alike(host: str) -> None:
    assert host_address(host) == LOOPBACK


@pytest.mark.parametrize("host", [
    "example.org", "127.0.0.1.example.org", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "0x", "",
    "1.2.3.256", "4294967296", "[not-an-address]",
])
def test_names_and_malformed_numbers_are_not_addresses(host: str) -> None:
    found = host_address(host)
    # "0x" reads as 0 under inet_aton, like the socket layer: then it is the 'this network' 0/8
    assert found is None or str(found) == "0.0.0.0"


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
    ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"), ("0.0.0.0", "'this network'"), ("0.1.2.3", "'this network'"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"), ("192.0.2.1", "documentation"),
    ("::", "unspecified"), ("::1", "loopback"), ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"), ("fe80::1", "link-local"), ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
])
def test_every_kind_of_internal_address_is_refused_and_named(address: str, kind: str) -> None:
    why = refusal(address)
    assert why is not None and kind in why


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
    "2a00:1450:4001:80b::200e",
])
def test_globally_routable_addresses_pass(address: str) -> None:
    assert refusal(address) is None


@pytest.mark.parametrize(("address", "inner"), [
    ("::ffff:127.0.0.1", "127.0.0.1"),  # mapped
    ("::127.0.0.1", "127.0.0.1"),  # compatible (deprecated)
    ("64:ff9b::7f00:1", "127.0.0.1"),  # NAT64
    ("2002:a00:1::", "10.0.0.1"),  # 6to4
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),  # Teredo: the client, bits inverted
    ("::ffff:169.254.169.254", "169.254.169.254"),
])
def test_ipv4_inside_ipv6_is_judged_as_that_ipv4(address: str, inner: str) -> None:
    ip = ipaddress.IPv6Address(address)
    assert embedded_ipv4(ip) == ipaddress.IPv4Address(inner)
    why = refusal(ip)
    assert why is not None and inner in why


@pytest.mark.parametrize("address", ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"])
def test_a_public_ipv4_inside_ipv6_passes(address: str) -> None:
    assert refusal(address) is None


def test_localhost_names_are_refused_without_dns() -> None:
    policy = AddressPolicy()
    for name in ("localhost", "localhost.", "LocalHost", "api.localhost"):
        assert policy.refuse_host(name, 80) is not None, name
    assert policy.refuse_host("localhost.example.org", 80) is None


def test_allow_private_turns_the_rule_off() -> None:
    policy = AddressPolicy(allow_private=True)
    assert policy.refuse_host("127.0.0.1", 80) is None
    assert policy.refuse_address("10.0.0.1") is None
    assert not policy.judges("127.0.0.1", 80)


def test_endpoints_are_allowed_for_their_own_host_and_port_only() -> None:
    policy = policy_for(False, ["http://127.0.0.1:8080/coll", "https://{lang}.wikipedia.org/api",
                                "http://[::1]:9000/x"], [("intranet.test", None)])
    assert not policy.judges("127.0.0.1", 8080)
    assert policy.refuse_host("127.0.0.1", 8081) is not None
    assert policy.refuse_host("127.1", 8080) is not None  # another spelling is another host
    assert not policy.judges("en.wikipedia.org", 443)
    assert policy.judges("en.wikipedia.org", 80)
    assert policy.judges("a.b.wikipedia.org", 443)  # {lang} is one label
    assert not policy.judges("::1", 9000)
    assert not policy.judges("intranet.test", 1234)  # a `resolve` entry without a port: any


@pytest.mark.parametrize(("url", "found"), [
    ("https://web.archive.org", ("web.archive.org", 443)),
    ("http://127.0.0.1:8080/pywb/{timestamp}/{url}", ("127.0.0.1", 8080)),
    ("https://{lang}.wikipedia.org/api/rest_v1", ("*.wikipedia.org", 443)),
    ("http://user:pw@Host.Example:81/", ("host.example", 81)),
    ("not a url", None),
])
def test_endpoint_of_a_configured_url(url: str, found: tuple[str, int] | None) -> None:
    assert endpoint(url) == found


def test_the_settings_allow_every_configured_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFIER_ALLOW_PRIVATE", raising=False)
    settings = load_settings({}, environ={
        "VERIFIER_ARCHIVES": '[{"name": "local", "pywb": "http://127.0.0.2:8081/coll"}]',
        "VERIFIER_DOI_RESOLVER": "http://127.0.0.3:8082",
        "VERIFIER_WIKIPEDIA_API": "http://127.0.0.4:8083/{lang}/api",
        "VERIFIER_SPN_URL": "http://127.0.0.5:8084/save",
        "VERIFIER_WAYBACK_URL": "http://127.0.0.6:8085",
        "VERIFIER_RESOLVE": "intranet.test:8086:10.0.0.7",
    })
    policy = settings.address_policy()
    for host, port in [("127.0.0.2", 8081), ("127.0.0.3", 8082), ("127.0.0.4", 8083),
                       ("127.0.0.5", 8084), ("127.0.0.6", 8085), ("intranet.test", 8086)]:
        assert not policy.judges(host, port), (host, port)
    assert policy.refuse_host("127.0.0.2", 80) is not None
    assert load_settings({}, environ={"VERIFIER_ALLOW_PRIVATE": "true"}).allow_private
    assert not load_settings({}, environ={}).allow_private
