"""The HTML report in a real browser (Debian's headless Chromium, driven by selenium): the
table draws, filters, sorts and pages, and hostile strings are shown as text, never run.

The page is a file:// URL and loads nothing else; this machine has no network, and the page's
Content-Security-Policy would refuse a fetch anyway. To see that escaping, not that policy,
is what stops the hostile strings, one page is also loaded with the policy cut out.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_extra
from reports import (
    HOSTILE_CLAIM_SHOWN,
    HOSTILE_CONTROLS_SHOWN,
    HOSTILE_TITLE,
    HOSTILE_URL,
    many_rows,
    sample_report,
)
from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from verifier.report import html

pytestmark = pytest.mark.needs_extra

EXTRA = 1000
TOTAL = 8 + EXTRA  # the sample report's rows, and the generated ones

# Runs before any script of the page: records what a hostile string would do if it ran, and
# anything the page's policy refused or its script threw.
WATCH = """
window.__xss = []; window.__refused = []; window.__errors = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__xss.push(name + ": " + message); };
}
document.addEventListener("securitypolicyviolation",
  (event) => window.__refused.push(event.violatedDirective + " " + event.blockedURI));
window.addEventListener("error", (event) => window.__errors.push(String(event.message)));
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    require_extra(bool(shutil.which("chromium") and shutil.which("chromedriver")),
                  "needs Debian chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # A dialog left open is for the test to find, not for the driver to dismiss.
    options.unhandled_prompt_behavior = "ignore"
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    browser = webdriver.Chrome(options=options, service=service)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    yield browser
    browser.quit()


def open_report(driver: webdriver.Chrome, where: Path, policy: bool = True) -> None:
    text = html.render(many_rows(sample_report(hostile=True), EXTRA))
    if not policy:
        text, cut = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
        assert cut == 1
    page = where / ("report.html" if policy else "report-without-policy.html")
    page.write_text(text, encoding="utf-8")
    driver.get(page.as_uri())
    wait_for_count(driver, f"{TOTAL:,} of {TOTAL:,} rows")


def by_id(driver: webdriver.Chrome, element_id: str) -> WebElement:
    return driver.find_element(By.ID, element_id)


def wait_for_count(driver: webdriver.Chrome, text: str, ids: list[str] | None = None) -> None:
    """Wait for the filter to apply: the count, and the claims shown if the count is no news."""
    WebDriverWait(driver, 10, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: by_id(driver, "row-count").text == text
        and (ids is None or claim_ids(driver) == ids))


def table_rows(driver: webdriver.Chrome) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#reference-rows tr")


def claim_ids(driver: webdriver.Chrome) -> list[str]:
    """The claim ids the table shows, in one round trip rather than one a row."""
    ids: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#reference-rows .claim-id'),"
        " (e) => e.textContent)")
    return ids


def type_filter(driver: webdriver.Chrome, text: str) -> None:
    box = by_id(driver, "filter")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)  # fires "input", as a person clearing it would
    if text:
        box.send_keys(text)


def assert_nothing_ran(driver: webdriver.Chrome) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - the property raises when no dialog is open
    assert driver.execute_script("return window.__xss") == []
    assert driver.execute_script("return window.__errors") == []
    assert driver.execute_script("return window.__refused") == []  # nothing for the policy to stop


def test_the_table_counts_filters_and_pages(driver: webdriver.Chrome, tmp_path: Path) -> None:
    open_report(driver, tmp_path)
    assert by_id(driver, "page-label").text == "Page 1 of 11"
    assert len(table_rows(driver)) == 100
    assert claim_ids(driver)[:3] == ["unsourced", "dead-copied", "dead-lost"]

    type_filter(driver, "host7.test")  # every 50th generated row: c7, c57, ... c957
    wait_for_count(driver, f"20 of {TOTAL:,} rows")
    assert claim_ids(driver) == [f"c{i}" for i in range(7, EXTRA, 50)]
    assert by_id(driver, "page-label").text == "Page 1 of 1"
    type_filter(driver, "C123")  # case does not matter
    wait_for_count(driver, f"1 of {TOTAL:,} rows", ["c123"])
    type_filter(driver, "no such thing")
    wait_for_count(driver, f"0 of {TOTAL:,} rows")
    assert [r.text for r in table_rows(driver)] == ["No row matches the filter."]
    type_filter(driver, "")
    wait_for_count(driver, f"{TOTAL:,} of {TOTAL:,} rows")

    first_page = claim_ids(driver)
    by_id(driver, "next-page").click()
    assert by_id(driver, "page-label").text == "Page 2 of 11"
    second_page = claim_ids(driver)
    assert second_page[0] == "c92" and not set(first_page) & set(second_page)
    by_id(driver, "last-page").click()
    assert by_id(driver, "page-label").text == "Page 11 of 11"
    assert claim_ids(driver) == [f"c{i}" for i in range(992, 1000)]
    assert not by_id(driver, "next-page").is_enabled()
    by_id(driver, "first-page").click()
    assert claim_ids(driver) == first_page

    assert_nothing_ran(driver)
    log = driver.get_log("browser")  # type: ignore[no-untyped-call]  # selenium leaves it untyped
    assert not [entry for entry in log if entry["level"] == "SEVERE"], log


def test_headings_sort_the_table(driver: webdriver.Chrome, tmp_path: Path) -> None:
    open_report(driver, tmp_path)
    claim = driver.find_element(By.CSS_SELECTOR, 'th[data-key="claim"]')
    claim.find_element(By.TAG_NAME, "button").click()
    assert claim.get_attribute("aria-sort") == "ascending"
    assert claim_ids(driver)[:3] == ["book", "c0", "c1"]
    claim.find_element(By.TAG_NAME, "button").click()
    assert claim.get_attribute("aria-sort") == "descending"
    assert claim_ids(driver)[:2] == ["wrong-year", "unsourced"]
    http = driver.find_element(By.CSS_SELECTOR, 'th[data-key="http_status"] button')
    http.click()  # numbers, empty last, ties in the report's order
    assert claim_ids(driver)[:2] == ["wrong-year", "drifted"]
    assert claim.get_attribute("aria-sort") is None
    http.click()
    assert claim_ids(driver)[0] == "dead-copied"  # the one 404
    by_id(driver, "last-page").click()
    # rows without an HTTP status come last, in the report's order
    assert claim_ids(driver) == [*(f"c{i}" for i in range(995, 1000)), "unsourced", "dead-lost",
                                 "book"]


@pytest.mark.parametrize("policy", [True, False], ids=["with-policy", "without-policy"])
def test_hostile_strings_are_shown_not_run(driver: webdriver.Chrome, tmp_path: Path,
                                           policy: bool) -> None:
    open_report(driver, tmp_path, policy=policy)
    assert_nothing_ran(driver)
    worklist = driver.find_element(By.CSS_SELECTOR, "#worklist-unsupported .claim-text")
    assert worklist.get_property("textContent") == HOSTILE_CLAIM_SHOWN
    assert HOSTILE_TITLE in by_id(driver, "worklist-unsupported").text

    type_filter(driver, "onerror")
    wait_for_count(driver, f"1 of {TOTAL:,} rows", ["wrong-year"])
    cells = table_rows(driver)[0].find_elements(By.TAG_NAME, "td")
    assert cells[0].find_element(By.CLASS_NAME, "claim-text").get_property("textContent") \
        == HOSTILE_CLAIM_SHOWN
    assert cells[1].get_property("textContent") == HOSTILE_TITLE
    assert_nothing_ran(driver)

    type_filter(driver, "fresh")  # its URL is javascript:, shown as text, not a link
    wait_for_count(driver, f"1 of {TOTAL:,} rows", ["fresh"])
    cells = table_rows(driver)[0].find_elements(By.TAG_NAME, "td")
    url = cells[2]
    assert url.text == HOSTILE_URL and not url.find_elements(By.TAG_NAME, "a")
    # Controls and bidi characters drawn by the script are shown as in every other view.
    claim = cells[0].find_element(By.CLASS_NAME, "claim-text")
    assert claim.get_property("textContent") == HOSTILE_CONTROLS_SHOWN
    assert cells[3].get_attribute("title") == HOSTILE_CONTROLS_SHOWN  # the check's reason
    type_filter(driver, "no such thing")
    wait_for_count(driver, f"0 of {TOTAL:,} rows")
    type_filter(driver, "<U+202E>gnp.exe")  # the filter finds text as the table shows it
    wait_for_count(driver, f"1 of {TOTAL:,} rows", ["fresh"])
    protocols = driver.execute_script(
        "return Array.from(document.links, (a) => a.protocol)")
    assert set(protocols) <= {"http:", "https:", "file:"}  # file: is the page's own #anchors

    type_filter(driver, "")
    wait_for_count(driver, f"{TOTAL:,} of {TOTAL:,} rows")
    while by_id(driver, "next-page").is_enabled():  # every page is drawn once
        by_id(driver, "next-page").click()
    assert_nothing_ran(driver)
    # The claim id in the worklist shows the claim in the table.
    driver.find_element(By.CSS_SELECTOR, "#worklist-unsupported a.claim-id").click()
    wait_for_count(driver, f"1 of {TOTAL:,} rows", ["wrong-year"])
    assert by_id(driver, "filter").get_property("value") == "wrong-year"
    assert_nothing_ran(driver)
