"""The workbench as a coder uses it, in a real headless Chromium (Debian chromium + chromium-driver,
through selenium): type a case, submit, read the DRG and the explanation, remove the MCC and see
the DRG change; a claim id "<script>" is shown as text and never runs.

Skips with a clear message only where Chromium or its driver is not installed (.ci/run installs
them when absent).
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web extra (uvicorn) is not installed")
selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = Path(os.environ.get("DRG_WEB_SCREENSHOTS", tempfile.gettempdir())) / "drg-web-shots"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium not found: install Debian's chromium and chromium-driver "
           "(apt-get install -y chromium chromium-driver; .ci/run does it when absent)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from drg.web.app import app

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="drg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _wait_text(driver, element_id: str, predicate, timeout: float = 15) -> str:
    WebDriverWait(driver, timeout).until(lambda d: predicate(d.find_element(By.ID, element_id).text))
    return driver.find_element(By.ID, element_id).text


def _type_code(driver, element, text: str) -> None:
    element.clear()
    element.send_keys(text)


def test_type_a_case_read_the_drg_remove_the_mcc_and_see_it_change(server, browser):
    browser.get(server + "/")
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#version option[value='43.1']")))
    browser.find_element(By.CSS_SELECTOR, "#version option[value='43.1']").click()
    age = browser.find_element(By.ID, "age")
    age.clear()
    age.send_keys("67")
    _type_code(browser, browser.find_element(By.ID, "pdx-code"), "i50.21")
    # the code search offers the code with its title as one types
    sdx = browser.find_element(By.CSS_SELECTOR, "#sdx-list input.code")
    _type_code(browser, sdx, "J96.0")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "suggest").is_displayed())
    hits = browser.find_elements(By.CSS_SELECTOR, "#suggest .hit")
    assert any("Acute respiratory failure with hypoxia" in h.text for h in hits)
    next(h for h in hits if h.text.startswith("J96.01")).click()
    assert sdx.get_attribute("value") == "J96.01"
    browser.find_element(By.ID, "add-sdx").click()
    _type_code(browser, browser.find_elements(By.CSS_SELECTOR, "#sdx-list input.code")[1], "E11.65")
    browser.find_element(By.ID, "billed-drg").send_keys("291")
    browser.find_element(By.ID, "submit").click()

    number = _wait_text(browser, "drg-number", lambda t: t.strip() not in ("", "—"))
    assert number == "291"
    assert browser.find_element(By.ID, "drg-title").text == "Heart Failure and Shock with MCC"
    assert "1.2838" in browser.find_element(By.ID, "drg-weight").text
    explanation = browser.find_element(By.ID, "explanation").text
    assert "J96.01 Acute respiratory failure with hypoxia: an MCC" in explanation
    assert "without it the DRG would be 293" in explanation
    rows = browser.find_elements(By.CSS_SELECTOR, "#codes tbody tr")
    mcc = next(r for r in rows if "J96.01" in r.text)
    assert "drives" in mcc.get_attribute("class") and "Acute respiratory failure with hypoxia" in mcc.text
    assert "MATCH" in browser.find_element(By.ID, "billed-summary").text
    _shot(browser, "1-case")

    # what if: remove the MCC -> the DRG moves and the change is highlighted
    mcc.find_element(By.CSS_SELECTOR, "button.remove-code").click()
    assert _wait_text(browser, "drg-number", lambda t: t == "293") == "293"
    change = browser.find_element(By.ID, "drg-change")
    assert change.is_displayed() and "was DRG 291" in change.text
    assert "moved" in browser.find_element(By.ID, "drg-card").get_attribute("class")
    billed = _wait_text(browser, "billed-summary", lambda t: "MATCH" not in t)
    assert "UPCODING_RISK" in billed and "supported DRG 293" in billed and "null" not in billed
    _shot(browser, "2-without-mcc")

    # what if: another version
    browser.find_element(By.CSS_SELECTOR, "#compare-version option[value='40.0']").click()
    assert "under 40.0: DRG 293" in _wait_text(browser, "compare-result", lambda t: "under" in t)


def test_a_script_claim_id_is_shown_as_text_and_never_runs(server, browser):
    browser.get(server + "/")
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#version option[value='43.1']")))
    claim_id = browser.find_element(By.ID, "claim-id")
    claim_id.clear()
    payload = '<script>window.__pwned=1</script><b>bold</b>'
    claim_id.send_keys(payload)
    _type_code(browser, browser.find_element(By.ID, "pdx-code"), "<img src=x onerror=window.__pwned=3>")
    browser.find_element(By.ID, "submit").click()
    _wait_text(browser, "drg-number", lambda t: t.strip() not in ("",))
    time.sleep(0.3)
    assert browser.execute_script("return window.__pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#result script, #result img, #result b")
    assert browser.find_element(By.ID, "drg-claim").text == payload
    assert "<IMG" in browser.find_element(By.ID, "codes").text.upper()
    _shot(browser, "3-script-id")
