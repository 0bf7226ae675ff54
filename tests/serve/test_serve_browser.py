"""The explorer in a real browser: ``kg serve`` on a free port, driven by headless Chromium (selenium).

Expected values come from the store's named queries (what ``kg query`` prints), never from the pages.
"""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlparse

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from kg.serve.data import GRAPH_LIMIT
from tests.serve.conftest import HOSTILE_ID, HOSTILE_TITLE

WAIT = 20


def _wait(driver, condition, timeout: float = WAIT):
    return WebDriverWait(driver, timeout).until(condition)


def _graph_ready(driver) -> int:
    """Wait for the graph to be drawn; the number of nodes cytoscape holds."""
    _wait(driver, lambda d: d.execute_script("return !!(window.kgGraph && window.kgGraph.nodes().length)"))
    return driver.execute_script("return window.kgGraph.nodes().length")


def _no_alert(driver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 (reading the text is what raises)


def _expected_nodes(store, entity_id: str) -> int:
    rows = store.query("neighbors", entity=entity_id)
    return min(GRAPH_LIMIT, 1 + len({r["id"] for r in rows}))


def _path(driver) -> str:
    return unquote(urlparse(driver.current_url).path)


def test_search_box_suggests_and_finds_gsm8k(page, server):
    page.get(server + "/")
    box = page.find_element(By.ID, "q")
    box.send_keys("gsm8k")
    _wait(page, lambda d: "GSM8K" in d.execute_script(
        "return Array.from(document.querySelectorAll('#kg-suggestions option')).map(o => o.value)"))
    box.send_keys(Keys.ENTER)
    best = _wait(page, EC.presence_of_element_located((By.CSS_SELECTOR, "#best a.entity-link")))
    assert best.text == "GSM8K"
    best.click()
    _wait(page, EC.text_to_be_present_in_element((By.ID, "entity-name"), "GSM8K"))
    assert _path(page) == "/entity/dataset:gsm8k"
    assert page.find_element(By.ID, "entity-type").text == "Dataset"


def test_entity_page_lists_the_papers_using_gsm8k(page, server, store):
    expected = {r["id"] for r in store.query("papers-using", dataset="GSM8K")}
    assert len(expected) == 8, "the seed store has 8 papers that use GSM8K"
    page.get(server + "/entity/dataset:gsm8k")
    listed = {a.get_attribute("data-id") for a in page.find_elements(By.CSS_SELECTOR, "#papers a.paper-link")}
    assert listed == expected
    leaderboard = page.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    assert len(leaderboard) == len(store.query("leaderboard", dataset="GSM8K"))


def test_entity_graph_holds_the_neighbourhood(page, server, store):
    page.get(server + "/entity/dataset:gsm8k")
    assert _graph_ready(page) == _expected_nodes(store, "dataset:gsm8k")
    types = set(page.execute_script("return window.kgGraph.nodes().map(n => n.data('type'))"))
    assert {"Dataset", "Paper"} <= types
    legend = page.find_element(By.ID, "graph-legend").text
    assert all(label in legend for label in types)


def test_hub_graph_is_bounded_and_says_so(page, server, store):
    rows = store.query("neighbors", entity="method:reinforcement-learning")
    assert len({r["id"] for r in rows}) + 1 > GRAPH_LIMIT, "the seed hub should outgrow the bound"
    page.get(server + "/entity/method:reinforcement-learning")
    assert _graph_ready(page) == GRAPH_LIMIT
    assert f"at most {GRAPH_LIMIT} nodes" in page.find_element(By.ID, "graph-bound").text


@pytest.mark.parametrize("node_type", ["Paper", "Method"])
def test_click_on_a_graph_node_opens_its_page(page, server, node_type):
    page.get(server + "/entity/dataset:gsm8k")
    _graph_ready(page)
    page.execute_script("document.getElementById('graph').scrollIntoView()")
    target = page.execute_script(
        "const n = window.kgGraph.nodes().filter(n => n.data('type') === arguments[0] && !n.hasClass('center'))[0];"
        "const p = n.renderedPosition(); const r = document.getElementById('graph').getBoundingClientRect();"
        "return {id: n.id(), x: r.left + p.x, y: r.top + p.y, href: n.data('href')};",
        node_type,
    )
    actions = ActionBuilder(page)
    actions.pointer_action.move_to_location(int(target["x"]), int(target["y"])).click()
    actions.perform()
    kind = "paper" if node_type == "Paper" else "entity"
    _wait(page, lambda d: _path(d) == f"/{kind}/{target['id']}")
    assert page.find_elements(By.CSS_SELECTOR, "h1")


def test_paper_page_shows_displacy_markup(page, server, store):
    paper_id = store.query("papers-using", dataset="GSM8K")[0]["id"]
    page.get(server + "/paper/" + quote(paper_id))
    marks = page.find_elements(By.CSS_SELECTOR, "#abstract div.entities mark.entity")
    assert marks, "no displaCy entity span in the abstract"
    labels = {m.find_element(By.CSS_SELECTOR, "span").text for m in marks}
    assert labels <= {"DATASET", "METHOD", "MODEL", "METRIC", "TASK", "Dataset", "Method", "Model", "Metric", "Task"}
    assert any(m.text.startswith("GSM8K") for m in marks)
    roles = page.find_element(By.ID, "roles").text
    assert "EVALUATES_ON" in roles or "USES_DATASET" in roles or "PROPOSES" in roles
    assert _graph_ready(page) >= 2


def test_hostile_title_shows_as_text(page, server):
    page.get(server + "/paper/" + HOSTILE_ID)
    _no_alert(page)
    assert page.find_element(By.CSS_SELECTOR, "#paper-title h1").text == HOSTILE_TITLE
    abstract = page.find_element(By.ID, "abstract").text
    assert "<img src=x onerror=alert(2)>" in abstract and "</script><script>alert(3)</script>" in abstract
    scripts = page.execute_script("return Array.from(document.scripts).map(s => s.src || s.type)")
    assert len(scripts) == 3, scripts  # cytoscape, explorer.js and the graph's JSON block, nothing from the data
    page.get(server + "/search?q=" + quote("<script>"))
    _no_alert(page)
    titles = [a.text for a in page.find_elements(By.CSS_SELECTOR, "#paper-results a.paper-link")]
    assert HOSTILE_TITLE in titles


def test_hostile_paper_in_a_neighbourhood_graph(page, server, store):
    math = store.query("neighbors", entity="dataset:math-500")
    assert HOSTILE_ID in {r["id"] for r in math}, "the hostile paper should link to MATH-500"
    page.get(server + "/entity/dataset:math-500")
    _graph_ready(page)
    _no_alert(page)
    names = page.execute_script("return window.kgGraph.nodes().map(n => n.data('full'))")
    assert HOSTILE_TITLE in names


def test_named_query_pages_show_the_rows_of_kg_query(page, server, store):
    rows = store.query("methods-on", dataset="GSM8K")
    page.get(server + "/query/methods-on?dataset=GSM8K")
    cells = [r.find_element(By.CSS_SELECTOR, "td.col-id").text for r in page.find_elements(By.CSS_SELECTOR, "#rows tbody tr")]
    assert cells == [r["id"] for r in rows]
    page.find_element(By.ID, "json-link").click()
    _wait(page, lambda d: urlparse(d.current_url).path == "/api/query/methods-on")


def test_main_pages_have_no_console_errors(browser, server, store):
    paper_id = store.query("papers-using", dataset="GSM8K")[0]["id"]
    method_id = store.query("methods-on", dataset="GSM8K")[0]["id"]
    browser.get_log("browser")
    for path in ("/", "/search?q=ppo", "/entity/dataset:gsm8k", f"/entity/{method_id}", f"/paper/{paper_id}",
                 "/queries", "/query/leaderboard?dataset=GSM8K", f"/paper/{HOSTILE_ID}"):
        browser.get(server + path)
        if browser.find_elements(By.ID, "graph"):
            _graph_ready(browser)
        errors = [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
        assert errors == [], f"{path}: {errors}"


class _References(HTMLParser):
    """The URLs a page loads: src of any element, href of <link>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "src" or (tag == "link" and name == "href"):
                self.urls.append(value or "")


def _external_references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return [u for u in parser.urls if not u.startswith("data:")]


def _kg_view(store_path, target: str, output) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "view", target, "-o", str(output), "--store", str(store_path)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr


def test_kg_view_file_opens_offline_and_draws_the_neighbourhood(page, explorer_store, store, tmp_path):
    output = tmp_path / "gsm8k.html"
    _kg_view(explorer_store, "GSM8K", output)
    assert _external_references(output.read_text(encoding="utf-8")) == []
    page.get(output.as_uri())
    assert _graph_ready(page) == _expected_nodes(store, "dataset:gsm8k")
    listed = {e.get_attribute("data-id") for e in page.find_elements(By.CSS_SELECTOR, "#papers .paper-link")}
    assert listed == {r["id"] for r in store.query("papers-using", dataset="GSM8K")}
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_kg_view_of_the_hostile_paper_shows_its_title_as_text(page, explorer_store, tmp_path):
    output = tmp_path / "hostile.html"
    _kg_view(explorer_store, HOSTILE_ID, output)
    page.get(output.as_uri())
    _no_alert(page)
    assert page.find_element(By.CSS_SELECTOR, "#paper-title h1").text == HOSTILE_TITLE
    _graph_ready(page)
