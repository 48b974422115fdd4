"""Headless-Chromium browser tests of the finder pages (selenium 4 + axe-core via axe-selenium-python).

They start the real server (`passerelle serve`) on a free loopback port with a fresh SQLite database, which imports
the bundled demo data (1,029 ClinicalTrials.gov studies), and drive it as a person would: typing into the search
form, clicking links, switching language and views. Run them with `scripts/browser-tests`.

Environment:
  PASSERELLE_BIN      server binary (default .build/debug/passerelle, relative to the repository root)
  CHROMIUM_BIN        browser binary (default /usr/bin/chromium)
  CHROMEDRIVER_BIN    driver binary (default /usr/bin/chromedriver, Debian's chromium-driver)
  AXE_CORE_JS         an axe.min.js to use instead of the one axe-selenium-python ships (axe-core 3.1.1)

Screenshots of each main page land in test-artifacts/screenshots/, the server's log in test-artifacts/.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
STARTUP_TIMEOUT = 300  # seconds: the debug build imports the demo data and builds its search and matching indexes
WAIT = 20  # seconds for a page to load after a click

# Words a relevant hit for "lymphome CAR-T" shows in its title, conditions or classification.
RELEVANT = re.compile(
    r"lymphom|leuk|leuc|\bCAR\b|CAR[- ]?T|T[- ]cell|cellules? T|CD19|CD22|CD20|CD30|B[- ]cell|BCMA|myelom|chimeric",
    re.IGNORECASE,
)
# The distance on a "nearest site" line: "Boston, United States — 405 km", "Palo Alto — 4 080 km" (thin spaces).
KM = re.compile(r"(\d[\d\s\u00a0\u202f.,]*)\s*km")


# ---------------------------------------------------------------- fixtures


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_binary() -> Path:
    path = Path(os.environ.get("PASSERELLE_BIN", ".build/debug/passerelle"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    # The binary may be relinked under us by a concurrent build: give it a moment to reappear.
    deadline = time.monotonic() + 60
    while not (path.is_file() and os.access(path, os.X_OK)):
        if time.monotonic() > deadline:
            pytest.fail(f"server binary not found or not executable: {path} (set PASSERELLE_BIN)")
        time.sleep(2)
    return path


@pytest.fixture(scope="session")
def base_url():
    binary = _server_binary()
    workdir = Path(tempfile.mkdtemp(prefix="browser-"))
    database = workdir / "browser.sqlite"
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "browser-server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(binary), "serve", "--database", str(database), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=workdir,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with status {process.returncode} before it was ready; see {log_path}")
            try:
                # The server answers search at once and builds the matching index next: wait for both.
                with urllib.request.urlopen(url + "/health", timeout=5) as response:
                    if json.load(response).get("matching") == "ready":
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server was not ready (/health: matching ready) within {STARTUP_TIMEOUT} s; see {log_path}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# ---------------------------------------------------------------- helpers


def screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def html_lang(driver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def total(driver) -> int:
    return int(driver.find_element(By.ID, "results-count").get_attribute("data-total"))


def hits(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#hits li.hit")


def km(text: str) -> int:
    match = KM.search(text)
    assert match, f"no distance in km in {text!r}"
    return int(re.sub(r"\D", "", match.group(1).split(",")[0].split(".")[0]))


def is_stale(element) -> bool:
    """Whether `element` left the document. Chromium reports a node detached while it is being read as an inspector
    error ("Node with given id does not belong to the document") rather than a stale reference: both mean gone."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def click_and_wait(driver, element) -> None:
    """Clicks a link or button that loads a new page, and waits until the old page is gone and the new one loaded."""
    old_html = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, WAIT).until(lambda _: is_stale(old_html))
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")


def search_by_form(driver, base_url, query, near, radius=""):
    driver.get(base_url + "/search")
    assert html_lang(driver) == "fr"
    field = driver.find_element(By.ID, "q")
    field.clear()
    field.send_keys(query)
    near_field = driver.find_element(By.ID, "near")
    near_field.clear()
    near_field.send_keys(near)
    Select(driver.find_element(By.ID, "radius_km")).select_by_value(radius)
    click_and_wait(driver, driver.find_element(By.ID, "search-button"))
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "results-count")))


def axe_check(driver, name: str) -> None:
    script = os.environ.get("AXE_CORE_JS")
    axe = Axe(driver, script) if script else Axe(driver)
    axe.inject()
    results = axe.run()
    assert "violations" in results and results.get("passes"), f"axe did not run on {name}: {str(results)[:300]}"
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    lines = []
    for violation in serious:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    report = "\n".join(lines)
    if serious:
        print(f"\naxe on {name} ({driver.current_url}):\n{report}")
    assert not serious, f"axe found {len(serious)} serious/critical violation(s) on {name}:\n{report}"


# ---------------------------------------------------------------- tests


def test_french_search_form_finds_relevant_trials_with_nearest_site(browser, base_url):
    search_by_form(browser, base_url, "lymphome CAR-T", "H2X")
    screenshot(browser, "search-lymphome-car-t")
    assert html_lang(browser) == "fr"
    assert total(browser) > 0
    found = hits(browser)
    assert found, "no hit in #hits"
    for hit in found[:5]:
        nct = hit.get_attribute("data-nct")
        assert re.fullmatch(r"NCT\d{8}", nct)
        title = hit.find_element(By.CSS_SELECTOR, "h3 a").text
        meta = " ".join(p.text for p in hit.find_elements(By.CSS_SELECTOR, ".meta"))
        assert RELEVANT.search(title + " " + meta), f"{nct} does not look relevant to lymphome CAR-T: {title!r} / {meta!r}"
        nearest = hit.find_elements(By.CSS_SELECTOR, ".nearest")
        assert nearest, f"{nct} shows no nearest site"
        assert "km" in nearest[0].text
        km(nearest[0].text)


def test_radius_with_no_trial_offers_wider_search_sorted_by_distance(browser, base_url):
    search_by_form(browser, base_url, "lymphome CAR-T", "H2X", radius="100")
    screenshot(browser, "search-radius-100-none")
    assert total(browser) == 0
    assert not hits(browser)
    wider = browser.find_element(By.ID, "wider")
    assert wider.is_displayed()
    assert "km" in wider.text
    click_and_wait(browser, browser.find_element(By.ID, "wider-link"))
    screenshot(browser, "search-wider-by-distance")
    assert total(browser) > 0
    assert Select(browser.find_element(By.ID, "sort")).first_selected_option.get_attribute("value") == "distance"
    assert Select(browser.find_element(By.ID, "radius_km")).first_selected_option.get_attribute("value") == ""
    distances = []
    for hit in hits(browser):
        nearest = hit.find_elements(By.CSS_SELECTOR, ".nearest")
        if nearest:
            distances.append(km(nearest[0].text))
    assert distances, "no hit shows a nearest site"
    assert distances[0] > 100, f"the nearest trial is within the 100 km that found none: {distances}"
    assert distances == sorted(distances), f"hits not sorted by distance: {distances}"


def test_hits_show_no_empty_lines(browser, base_url):
    # NCT05086315 and NCT05521087 (not cell or gene therapies) come first here.
    browser.get(base_url + "/search?q=lymphome%20CAR-T&near=H2X&sort=distance")
    empty = []
    for hit in hits(browser):
        for line in hit.find_elements(By.CSS_SELECTOR, "p.meta"):
            if not re.sub(r"[\s🧬:·]", "", line.text):
                empty.append(f"{hit.get_attribute('data-nct')}: {line.get_attribute('outerHTML')}")
    assert not empty, "hits with an empty line:\n" + "\n".join(empty)


def test_language_switch_keeps_the_query(browser, base_url):
    search_by_form(browser, base_url, "lymphome CAR-T", "H2X")
    assert html_lang(browser) == "fr"
    french_total = total(browser)
    french_hits = [h.get_attribute("data-nct") for h in hits(browser)]
    switch = browser.find_element(By.ID, "lang-switch")
    assert switch.get_attribute("hreflang") == "en"
    click_and_wait(browser, switch)
    screenshot(browser, "search-lymphome-car-t-en")
    assert html_lang(browser) == "en"
    assert browser.find_element(By.ID, "q").get_attribute("value") == "lymphome CAR-T"
    assert browser.find_element(By.ID, "near").get_attribute("value") == "H2X"
    assert total(browser) == french_total
    assert [h.get_attribute("data-nct") for h in hits(browser)] == french_hits
    assert browser.find_element(By.ID, "lang-switch").get_attribute("hreflang") == "fr"


def test_status_facet_click_selects_and_narrows(browser, base_url):
    browser.get(base_url + "/search?q=lymphoma")
    before = total(browser)
    assert before > 0
    links = browser.find_elements(By.CSS_SELECTOR, "#facet-status a")
    assert links, "no value in #facet-status"
    candidates = [a for a in links if a.get_attribute("aria-current") != "true"]
    assert candidates
    label = candidates[0].find_element(By.CSS_SELECTOR, "span").text
    click_and_wait(browser, candidates[0])
    screenshot(browser, "search-facet-status")
    selected = browser.find_elements(By.CSS_SELECTOR, '#facet-status a[aria-current="true"]')
    assert [a.find_element(By.CSS_SELECTOR, "span").text for a in selected] == [label]
    after = total(browser)
    assert 0 < after <= before
    assert browser.find_elements(By.ID, "clear-filters")


def test_trial_patient_and_professional_views(browser, base_url):
    browser.get(base_url + "/search?q=lymphome%20CAR-T&near=H2X")
    first = hits(browser)[0]
    nct = first.get_attribute("data-nct")
    click_and_wait(browser, first.find_element(By.CSS_SELECTOR, "h3 a"))
    screenshot(browser, "trial-patient")
    assert html_lang(browser) == "fr"
    assert nct in browser.current_url
    assert browser.find_element(By.ID, "patient-view")
    assert not browser.find_elements(By.ID, "professional-view")
    questions = browser.find_element(By.ID, "questions-h")
    assert questions.text.strip()
    assert browser.find_elements(By.CSS_SELECTOR, 'section[aria-labelledby="questions-h"] li')
    assert browser.find_element(By.ID, "view-patient").get_attribute("aria-current") == "page"
    click_and_wait(browser, browser.find_element(By.ID, "view-pro"))
    screenshot(browser, "trial-professional")
    assert nct in browser.current_url
    assert browser.find_element(By.ID, "professional-view")
    assert not browser.find_elements(By.ID, "patient-view")
    assert browser.find_element(By.ID, "view-pro").get_attribute("aria-current") == "page"
    rows = browser.find_elements(By.CSS_SELECTOR, "#sites tbody tr")
    assert len(rows) >= 1
    link = browser.find_element(By.ID, "ctgov-link").get_attribute("href")
    assert nct in link


def test_trial_with_montreal_site(browser, base_url):
    browser.get(base_url + "/trials/NCT04728893?view=pro")
    cities = " ".join(r.text for r in browser.find_elements(By.CSS_SELECTOR, "#sites tbody tr"))
    assert re.search(r"Montr[ée]al", cities), cities[:500]


def _trial_count(driver) -> int:
    text = driver.find_element(By.CSS_SELECTOR, '#portrait-counts [data-count="trials"]').text
    return int(re.sub(r"\D", "", text))


def test_portrait_charts_and_scope(browser, base_url):
    browser.get(base_url + "/portrait")
    screenshot(browser, "portrait")
    assert html_lang(browser) == "fr"
    default_count = _trial_count(browser)
    for chart in ("chart-areas", "chart-cgt", "chart-years"):
        figure = browser.find_element(By.ID, chart)
        svg = figure.find_element(By.TAG_NAME, "svg")
        assert svg.size["width"] > 0 and svg.size["height"] > 0, f"{chart}: empty svg"
        table = figure.find_element(By.CSS_SELECTOR, "details table")
        assert table.find_elements(By.CSS_SELECTOR, "thead th")
        assert table.find_elements(By.CSS_SELECTOR, "tbody tr"), f"{chart}: table has no row"
    Select(browser.find_element(By.ID, "scope")).select_by_value("all")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, 'form[action="/portrait"] button[type="submit"]'))
    screenshot(browser, "portrait-all")
    assert "scope=all" in browser.current_url
    assert Select(browser.find_element(By.ID, "scope")).first_selected_option.get_attribute("value") == "all"
    assert _trial_count(browser) >= default_count > 0
    for chart in ("chart-areas", "chart-cgt", "chart-years"):
        assert browser.find_element(By.ID, chart).find_elements(By.TAG_NAME, "svg")


def test_match_form_ranks_trials_with_a_checklist(browser, base_url):
    browser.get(base_url + "/match?view=pro")
    assert html_lang(browser) == "fr"
    browser.find_element(By.ID, "situation").send_keys(
        "Homme de 62 ans, lymphome diffus à grandes cellules B en rechute après R-CHOP. Pas d'infection au VIH."
    )
    Select(browser.find_element(By.ID, "ecog")).select_by_value("1")
    browser.find_element(By.ID, "all_statuses_box").click()
    click_and_wait(browser, browser.find_element(By.ID, "match-button"))
    screenshot(browser, "match-pro-results")
    understood = browser.find_element(By.ID, "understood").text
    assert "62" in understood and "ECOG 1" in understood, understood
    found = browser.find_elements(By.CSS_SELECTOR, "#matches > li")
    assert len(found) >= 5
    relevant = 0
    for hit in found[:5]:
        assert hit.get_attribute("data-verdict") in ("likely", "possible", "excluded")
        title = hit.find_element(By.CSS_SELECTOR, "h3 a").text
        meta = " ".join(p.text for p in hit.find_elements(By.CSS_SELECTOR, ".meta"))
        relevant += bool(RELEVANT.search(title + " " + meta))
        assert hit.find_elements(By.CSS_SELECTOR, ".checklist li"), "no criterion listed"
    assert relevant >= 4
    # The situation never goes into the URL.
    assert "lymphome" not in browser.current_url
    axe_check(browser, "match-pro-results")


def test_save_search_and_ask_for_help_without_an_account(browser, base_url):
    """The finder's "alert me" form and the help form work without JavaScript or an account (CSRF by cookie)."""
    browser.get(base_url + "/search?q=lymphome&near=H2X&radius_km=50")
    form = browser.find_element(By.ID, "save-search")
    form.find_element(By.NAME, "email").send_keys("selenium@example.org")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    body = browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, "saved-search")
    assert "Vérifiez vos courriels" in body, body[:300]

    browser.get(base_url + "/help?lang=en")
    browser.find_element(By.ID, "name").send_keys("Selenium Test")
    browser.find_element(By.ID, "email").send_keys("selenium@example.org")
    browser.find_element(By.ID, "situation").send_keys("Relapsed lymphoma after two lines; interested in CAR-T.")
    browser.find_element(By.NAME, "consent").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.account-form button[type=submit]"))
    screenshot(browser, "help-status")
    assert "/help/status/" in browser.current_url
    assert browser.find_element(By.ID, "help-status").text == "Received"
    axe_check(browser, "help-status")


@pytest.mark.parametrize(
    "name,path",
    [
        ("home", "/"),
        ("match", "/match"),
        ("search-lymphome", "/search?q=lymphome"),
        ("trial-NCT04728893-patient", "/trials/NCT04728893"),
        ("trial-NCT04728893-pro", "/trials/NCT04728893?view=pro"),
        ("portrait", "/portrait"),
        ("help", "/help"),
        ("sign-up", "/account/sign-up"),
        ("sign-in", "/account/sign-in"),
    ],
)
def test_accessibility_no_serious_violations(browser, base_url, name, path):
    browser.get(base_url + path)
    assert html_lang(browser) == "fr"
    screenshot(browser, name)
    axe_check(browser, name)
