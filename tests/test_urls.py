"""URL normalisation, validation, trivial redirects and DOI URLs."""

from __future__ import annotations

import pytest

from verifier.urls import InvalidUrl, NormalizedUrl, doi_url, host, is_trivial_redirect, normalize

NORMAL_FORMS = [
    ("HTTP://Example.COM/", "http://example.com/"),
    ("http://example.com", "http://example.com/"),
    ("  http://example.com/a \n", "http://example.com/a"),  # surrounding whitespace ignored
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),  # not the default for http
    ("https://example.com:8443/", "https://example.com:8443/"),
    ("http://example.com:/a", "http://example.com/a"),  # an empty port means the default
    ("http://example.com/%7euser/%7Efile", "http://example.com/~user/~file"),
    ("http://example.com/%41%42%5f%2d", "http://example.com/AB_-"),
    ("http://example.com/a%2fb%3a", "http://example.com/a%2Fb%3A"),  # reserved: kept, upper
    ("http://example.com/caf%c3%a9", "http://example.com/caf%C3%A9"),
    ("http://example.com/café?q=ü", "http://example.com/caf%C3%A9?q=%C3%BC"),
    ("http://example.com/a|b{c}^`", "http://example.com/a%7Cb%7Bc%7D%5E%60"),
    ("http://example.com/100%", "http://example.com/100%25"),
    ("http://example.com/%zz", "http://example.com/%25zz"),
    ("http://bücher.example/", "http://xn--bcher-kva.example/"),
    ("http://BÜCHER.example/", "http://xn--bcher-kva.example/"),
    ("http://faß.de/", "http://xn--fa-hia.de/"),  # IDNA 2008, as yarl sends it
    ("http://例え.テスト/パス", "http://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9"),
    ("http://example.com/a/./b/../c", "http://example.com/a/c"),
    ("http://example.com/a/b/..", "http://example.com/a/"),
    ("http://example.com/../../a", "http://example.com/a"),
    ("http://example.com/a/%2E%2E/b", "http://example.com/b"),  # decoded dots are dots
    ("http://example.com/a//b", "http://example.com/a//b"),  # empty segments mean something
    ("http://example.com/a#section", "http://example.com/a"),
    ("http://example.com/#", "http://example.com/"),
    ("http://example.com/?b=2&a=1&b=1", "http://example.com/?b=2&a=1&b=1"),  # order kept
    ("http://example.com/?", "http://example.com/"),
    ("http://example.com/p?q=a+b&r=%20&s=%7E", "http://example.com/p?q=a+b&r=%20&s=~"),
    ("http://example.com/p?next=/a?b", "http://example.com/p?next=/a?b"),
    # Credentials are kept apart (NormalizedUrl.userinfo), never in the normal form.
    ("http://user:pw@Example.com/", "http://example.com/"),
    ("http://[2001:DB8:0:0::1]:8080/", "http://[2001:db8::1]:8080/"),
    ("http://127.0.0.2:8000/x", "http://127.0.0.2:8000/x"),
    ("http://www.example.com./", "http://www.example.com./"),
    ("http://my_host.example.com/", "http://my_host.example.com/"),
    (  # a real Wikipedia URL, already normal
        "https://en.wikipedia.org/wiki/Belarus%E2%80%93Venezuela_relations",
        "https://en.wikipedia.org/wiki/Belarus%E2%80%93Venezuela_relations",
    ),
    (  # the same, as typed in a browser
        "https://en.wikipedia.org/wiki/Belarus–Venezuela_relations",
        "https://en.wikipedia.org/wiki/Belarus%E2%80%93Venezuela_relations",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), NORMAL_FORMS)
def test_normal_form(raw: str, expected: str) -> None:
    normal = normalize(raw)
    assert isinstance(normal, NormalizedUrl), normal
    assert normal.url == expected
    assert str(normal) == expected


@pytest.mark.parametrize("raw", [raw for raw, _ in NORMAL_FORMS])
def test_normalizing_twice_changes_nothing(raw: str) -> None:
    once = normalize(raw)
    assert isinstance(once, NormalizedUrl)
    again = normalize(once.url)
    assert isinstance(again, NormalizedUrl)
    assert again.url == once.url and again.userinfo == ""  # the normal form has no credentials


def test_parts() -> None:
    normal = normalize("HTTPS://Sub.Example.org:8443/a/b?x=1#frag")
    assert normal == NormalizedUrl(
        url="https://sub.example.org:8443/a/b?x=1",
        scheme="https",
        host="sub.example.org",
        port=8443,
        path="/a/b",
        query="x=1",
    )
    default = normalize("http://example.org")
    assert isinstance(default, NormalizedUrl)
    assert (default.port, default.path, default.query) == (None, "/", None)


INVALID = [
    ("javascript:alert(1)", "not an http(s) URL (javascript:)"),
    ("JavaScript:void(0)", "not an http(s) URL (javascript:)"),
    ("file:///etc/passwd", "not an http(s) URL (file:)"),
    ("mailto:editor@example.org", "not an http(s) URL (mailto:)"),
    ("ftp://ftp.example.org/pub/file.txt", "not an http(s) URL (ftp:)"),
    ("www.example.com/page", "not an http(s) URL: no scheme"),
    ("//example.com/a", "not an http(s) URL: no scheme"),
    ("/wiki/Dog", "not an http(s) URL: no scheme"),
    ("", "empty"),
    ("   ", "empty"),
    ("http://exa mple.com/", "contains a space"),
    ("http://example.com/a b", "contains a space"),
    ("http://example.com/a\u00a0b", "contains a space"),  # a no-break space pasted in
    ("http://example.com/a\tb", "contains a control character (U+0009)"),
    ("http://example.com/a\nb", "contains a control character (U+000A)"),
    ("http://example.com/\x00", "contains a control character (U+0000)"),
    ("http://example.com/a\x85b", "contains a control character (U+0085)"),
    ("http:///path", "no host"),
    ("http:example.com", "no host"),
    ("http://", "no host"),
    ("http://user@/", "no host"),
    ("http://:80/", "no host"),
    ("http://example.com:99999/", "bad port '99999'"),
    ("http://example.com:0/", "bad port '0'"),
    ("http://example.com:8o/", "bad port '8o'"),
    ("http://example.com:８０/", "bad port '８０'"),  # full-width digits are not digits here
    ("http://exa..mple.com/", "bad host 'exa..mple.com'"),
    ("http://-example.com/", "bad host '-example.com'"),
    ("http://ex%41mple.com/", "bad host 'ex%41mple.com'"),
    ("http://exa*mple.com/", "bad host 'exa*mple.com'"),
    ("http://" + "a" * 64 + ".com/", "bad host"),
    ("http://[::zz]/", "bad IPv6 address '::zz'"),
    ("http://[::1/", "bad host '[::1'"),
    ("http://[::1]x/", "bad host '[::1]x'"),
    ("http://example.com/\ud800", "not valid Unicode text"),
]


@pytest.mark.parametrize(("raw", "reason"), INVALID)
def test_invalid(raw: str, reason: str) -> None:
    invalid = normalize(raw)
    assert isinstance(invalid, InvalidUrl), invalid
    assert invalid.raw == raw
    assert invalid.reason.startswith(reason)
    assert reason in str(invalid)


def test_host() -> None:
    assert host("HTTP://WWW.Example.COM.:8080/x") == "www.example.com"
    assert host("https://bücher.example/a") == "xn--bcher-kva.example"
    assert host("http://[::1]:8000/") == "[::1]"
    with pytest.raises(ValueError, match=r"not an http\(s\) URL \(mailto:\)"):
        host("mailto:a@example.org")


TRIVIAL = [
    ("http://example.org/a", "https://example.org/a", True),
    ("http://example.org/a", "http://example.org/a/", True),
    ("http://example.org/a", "https://example.org/a/", True),
    ("http://example.org/a?x=1", "https://example.org/a/?x=1", True),
    ("http://example.org/a", "http://example.org/a", True),  # no change at all
    ("http://Example.org:80/a#top", "https://example.org:443/a/", True),  # equal when normal
    ("http://example.org", "https://example.org/", True),
    ("https://example.org/a", "http://example.org/a", False),  # a downgrade
    ("http://example.org/a/", "http://example.org/a", False),  # removes, does not add
    ("http://example.org/a", "http://example.org/a//", False),
    ("http://example.org/a", "https://www.example.org/a", False),  # another host name
    ("http://www.example.org/a", "https://example.org/a", False),
    ("http://example.org/a", "https://example.org/b", False),
    ("http://example.org/a", "https://example.org/a?x=1", False),
    ("http://example.org/a?x=1", "https://example.org/a?x=2", False),
    ("http://example.org:8080/a", "https://example.org:8443/a", False),
    ("http://example.org/a", "https://example.org/A", False),
    ("http://example.org/a", "javascript:alert(1)", False),
]


@pytest.mark.parametrize(("source", "target", "trivial"), TRIVIAL)
def test_is_trivial_redirect(source: str, target: str, trivial: bool) -> None:
    assert is_trivial_redirect(source, target) is trivial


DOIS = [
    ("10.1000/182", "https://doi.org/10.1000/182"),
    (" doi:10.1000/182 ", "https://doi.org/10.1000/182"),
    ("DOI: 10.1000/182", "https://doi.org/10.1000/182"),
    ("info:doi/10.1000/182", "https://doi.org/10.1000/182"),
    ("https://doi.org/10.1000/182", "https://doi.org/10.1000/182"),
    ("http://dx.doi.org/10.1000/182", "https://doi.org/10.1000/182"),
    ("doi.org/10.1000/182", "https://doi.org/10.1000/182"),
    ("10.1038/nphys1170", "https://doi.org/10.1038/nphys1170"),
    ("10.1000.10/123", "https://doi.org/10.1000.10/123"),  # a registrant subdivision
    (  # a SICI DOI: '<' and '>' must be escaped, ':', ';', '(' and ')' need not
        "10.1002/(SICI)1097-4636(199706)35:4<489::AID-JBM9>3.0.CO;2-E",
        "https://doi.org/10.1002/(SICI)1097-4636(199706)35:4%3C489::AID-JBM9%3E3.0.CO;2-E",
    ),
    (  # the same, given as a resolver URL: decoded once, then encoded once
        "https://doi.org/10.1002/(SICI)1097-4636(199706)35:4%3C489::AID-JBM9%3E3.0.CO;2-E",
        "https://doi.org/10.1002/(SICI)1097-4636(199706)35:4%3C489::AID-JBM9%3E3.0.CO;2-E",
    ),
    ("10.1000/a#b?c%d", "https://doi.org/10.1000/a%23b%3Fc%25d"),
    ("10.1000/über", "https://doi.org/10.1000/%C3%BCber"),
    ("10.1000/a/b", "https://doi.org/10.1000/a/b"),  # '/' inside the suffix stays
]


@pytest.mark.parametrize(("doi", "expected"), DOIS)
def test_doi_url(doi: str, expected: str) -> None:
    url = doi_url(doi, "https://doi.org")
    assert url == expected
    normal = normalize(url)
    assert isinstance(normal, NormalizedUrl) and normal.url == url  # already normal


def test_doi_url_uses_the_resolver_given() -> None:
    assert doi_url("10.1000/182", "http://127.0.0.5:8080/") == "http://127.0.0.5:8080/10.1000/182"


@pytest.mark.parametrize("text", ["", "not a doi", "11.1000/182", "10.1000", "10.1000/", "10.abc/x",
                                  "10.1000/a b", "https://example.org/10.1000/182"])
def test_not_a_doi(text: str) -> None:
    with pytest.raises(ValueError, match="not a DOI"):
        doi_url(text, "https://doi.org")
