"""The UI check: every page reachable by links from every demo role's start page, in Swedish and English, at
desktop (1280 px) and phone (390 px) width.

For each role the test logs in, follows the same-origin GET links breadth-first from the start page (one page
per kind: ids in the address are replaced before deduplicating, so it visits one order, one invoice …, and at
most ``MAX_PAGES`` pages), and then visits the same pages in each language and width. It fails, listing every
problem with role, language, width and address, on

- a server error (status 500 or above) or a 404 reached by a link;
- a number in exponent notation (``2E+1``) anywhere in the visible text;
- on a Swedish page: a common English UI word, a raw snake_case code, a dotted event code
  (``bank_account.change``), Python's ``None``/``True``/``False``, or Django's empty choice ``---------``;
- an axe-core finding of impact "moderate" or worse (axe-core from npm, injected from ``node_modules``:
  nothing is downloaded while the test runs).

Technical detail lines that show a code on purpose, for support, mark it up as ``<code>`` (or
``translate="no"``), and a quoted text in another language carries its ``lang``; the word checks skip those
elements, and the demo's user names and e-mail addresses, which are data.

A screenshot of every page goes to ``var/ui-check/<role>-<lang>-<width>-<slug>.png`` (``AVROP_UI_CHECK_DIR``
overrides the folder) for a person to look through.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

REPOSITORY = Path(__file__).resolve().parents[2]
AXE = REPOSITORY / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("AVROP_UI_CHECK_DIR", REPOSITORY / "var" / "ui-check"))

# The demo logins of the README, each with its own test so that pytest-xdist can spread them over workers.
ROLES = (
    "requisitioner",
    "approver",
    "goods_receiver",
    "coordinator",
    "procurement_officer",
    "ap_clerk",
    "ar_clerk",
    "supplier_user",
    "lyreco.ekonomi",
    "spoc",
    "service_partner",
    "auditor",
    "admin",
)
LANGUAGES = ("sv", "en")
WIDTHS = (1280, 390)
MAX_PAGES = int(os.environ.get("AVROP_UI_CHECK_MAX_PAGES", "50"))
MAX_DEPTH = 4
# axe-core runs on every page in Swedish at desktop width and in English at phone width: both languages and
# both widths, in half the time of all four combinations (its rules look at markup, contrast and layout, which
# the language does not change). The other checks run in all four.
AXE_COMBINATIONS = {("sv", 1280), ("en", 390)}
SCREENSHOT_HEIGHT = 2400

# Addresses the walk does not follow.
SKIPPED_PATHS = (
    "/logout/",  # ends the session
    "/i18n/",  # changes the language (a POST anyway)
    # Django's own admin for the operators: its templates, words and markup are Django's, not ours.
    "/operator/",
    # The JSON API and its generated documentation (django-ninja's Swagger page) are not our UI.
    "/api/",
)
# Pages that are not ours, visited only for their status: OpenPeppol's presentation stylesheet draws the
# official view of an invoice (English only, its own markup and inline styles; avrop shows it as it is).
STATUS_ONLY = re.compile(r"^/payables/<id>/official/$")
# GET links whose query asks for another rendering of the same page (sorting, paging, export formats) are
# one kind of page with the page they come from.
COLLAPSED_PARAMETERS = frozenset({"page", "sort", "order", "o", "_export", "export", "per_page"})

ID = re.compile(
    r"(?<=/)(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{20,})(?=/|$)"
)

EXPONENT = re.compile(r"\b\d+(?:[.,]\d+)?E[+-]?\d+\b")
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
# An event or field code such as bank_account.change or order.sent; not an abbreviation like "t.ex" or "bl.a"
# (a one-letter part), not part of an address or a file name (those are taken out first, see NOT_WORDS).
DOTTED_CODE = re.compile(r"(?<![\w.@/-])[a-z][a-z_]+\.[a-z][a-z_]+(?![\w.@/-])")
EMPTY_CHOICE = re.compile(r"-{9}")
PYTHON_VALUES = re.compile(r"\b(?:None|True|False|nan|NaN|Decimal)\b")
# E-mail and web addresses, domain names and file names are data, not words of the UI.
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|\b[\w.-]+\.(?:example|se|com|org|net|eu|nu|ch|de|fi|no|dk|io|local)\b"
    r"|\b[\w.-]+\.(?:pdf|csv|xlsx|xls|xml|json|txt|zip|png|jpe?g|gif|svg|html?)\b",
    re.IGNORECASE,
)
# Common English UI words that have a Swedish translation. Words that are also Swedish ("Status", "Start",
# "Filter", "Export", "Import", "Total", "Order", "Kredit", "sent" = late, "Adress") are not listed; nor are
# words that occur in the demo's supplier and product names.
ENGLISH_WORDS = (
    "Save",
    "Cancel",
    "Search",
    "Submit",
    "Delete",
    "Edit",
    "Back",
    "Next",
    "Previous",
    "Approve",
    "Reject",
    "Download",
    "Upload",
    "Send",
    "Close",
    "Show",
    "Hide",
    "Add",
    "Remove",
    "Update",
    "Supplier",
    "Suppliers",
    "Invoice",
    "Invoices",
    "Amount",
    "Quantity",
    "Price",
    "Date",
    "Name",
    "Description",
    "Yes",
    "No",
    "Loading",
    "Required",
    "Optional",
    "This field",
    "changed",
    "approved",
    "rejected",
    "pending",
    "created",
    "updated",
    "deleted",
    "received",
    "cancelled",
    "draft",
    "submitted",
    "unknown",
    "error",
    "Error",
    "Unavailable",
    # Small words of English sentences.
    "the",
    "The",
    "and",
    "from",
    "with",
    "not",
    "for",
    "of",
    "to",
    "is",
    "are",
    "has",
    "This",
)
ENGLISH = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")\b")

# The visible text of the page, leaving out what is marked as code on purpose and what is marked as being in
# another language (a transport error quoted for support is English, and says so with lang="en").
VISIBLE_TEXT = """() => {
  let text = document.body.innerText;
  const page = document.documentElement.lang;
  const apart = `code, kbd, samp, [translate="no"], body [lang]:not([lang="${page}"])`;
  for (const element of document.querySelectorAll(apart)) {
    const part = element.innerText;
    if (part) text = text.split(part).join(' ');
  }
  const options = Array.from(document.querySelectorAll('select option')).map(o => o.textContent);
  return text + '\\n' + options.join('\\n');
}"""
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download')
    && !a.matches('[hx-post], [hx-put], [hx-patch], [hx-delete], [data-method]'))
  .map(a => a.href)"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['moderate', 'serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help} — `
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@dataclass
class Found:
    url: str  # path and query
    slug: str
    checked: bool = True  # False for a download, or a page that is not ours (STATUS_ONLY)


@dataclass
class Walk:
    role: str
    user_names: re.Pattern[str]  # people's user names are data, not words of the UI
    pages: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def kind_of(url: str) -> str:
    """The kind of page an address shows: ids replaced, and paging/sorting parameters dropped."""
    parts = urlsplit(url)
    path = ID.sub("<id>", parts.path)
    keys = sorted(
        {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)} - COLLAPSED_PARAMETERS
    )
    return path + ("?" + "&".join(keys) if keys else "")


def slug_of(kind: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", kind.replace("<id>", "id").replace("<n>", "n")).strip("-")
    return slug or "start"


def followed(url: str, origin: str) -> str | None:
    """The path and query of a link the walk follows, or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(SKIPPED_PATHS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def check_page(
    page, response, where: str, language: str, axe: bool, user_names: re.Pattern[str]
) -> list[str]:
    """Every problem of the open page (``where`` names role, language, width and address)."""
    status = response.status if response else 0
    if status >= 500 or status == 404:
        return [f"{where}: HTTP {status}"]
    problems = []
    text = page.evaluate(VISIBLE_TEXT)
    checks = [(EXPONENT, "exponent notation")]
    if language == "sv":
        text = user_names.sub(" ", NOT_WORDS.sub(" ", text))
        checks += [
            (ENGLISH, "English word"),
            (PYTHON_VALUES, "Python value"),
            (SNAKE_CASE, "internal code"),
            (DOTTED_CODE, "event code"),
            (EMPTY_CHOICE, "Django's empty choice"),
        ]
    for pattern, what in checks:
        reported = set()
        for match in pattern.finditer(text):
            if match.group() in reported:
                continue
            reported.add(match.group())
            context = " ".join(text[max(0, match.start() - 30) : match.end() + 30].split())
            problems.append(f"{where}: {what} {match.group()!r} in “{context}”")
    if axe:
        problems.extend(f"{where}: axe {finding}" for finding in page.evaluate(AXE_RUN))
    return problems


def new_context(browser, live_server, language: str, width: int, storage_state=None):
    context = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE" if language == "sv" else "en-GB",
        viewport={"width": width, "height": 900 if width > 600 else 844},
        storage_state=storage_state,
    )
    # axe-core goes into every page as an init script: Playwright evaluates it through the DevTools protocol
    # (so the page's Content-Security-Policy, which forbids inline scripts, stays in force), and the 550 kB
    # file crosses to the browser once per context instead of once per page (add_script_tag took ~1 s a page).
    context.add_init_script(path=str(AXE))
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def screenshot(page, path: Path, width: int) -> None:
    """The page from the top, at most ``SCREENSHOT_HEIGHT`` pixels of it (long lists cost seconds each)."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
    page.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})


def visit(page, url: str):
    """Open a page; a download answers with its response and no page (returned as None, response)."""
    try:
        return page.goto(url, wait_until="load"), True
    except Exception as error:  # Playwright raises when the answer is a download, not a page
        if "Download is starting" not in str(error):
            raise
        return page.request.get(url), False


def discover_and_check(page, origin: str, walk: Walk) -> None:
    """Walk the links breadth-first in Swedish at desktop width, checking each page on the way."""
    seen = {kind_of("/")}
    queue: deque[tuple[str, int]] = deque([("/", 0)])
    while queue and len(walk.pages) < MAX_PAGES:
        url, depth = queue.popleft()
        response, is_page = visit(page, url)
        where = f"{walk.role}/sv/1280px {url}"
        status = response.status if response else 0
        content_type = (response.headers.get("content-type", "") if response else "").split(";")[0]
        if not is_page or content_type != "text/html" or STATUS_ONLY.match(kind_of(url)):
            if status >= 500 or status == 404:
                walk.problems.append(f"{where}: HTTP {status}")
            walk.pages.append(Found(url, slug_of(kind_of(url)), checked=False))
            continue
        landed = followed(page.url, origin)
        if landed and landed != url:
            seen.add(kind_of(landed))
        found = Found(url, slug_of(kind_of(url)))
        walk.pages.append(found)
        walk.problems.extend(check_page(page, response, where, "sv", axe=True, user_names=walk.user_names))
        screenshot(page, SCREENSHOTS / f"{walk.role}-sv-1280-{found.slug}.png", 1280)
        if depth >= MAX_DEPTH or status >= 400:
            continue
        for href in page.evaluate(LINKS):
            link = followed(href, origin)
            if link is None:
                continue
            kind = kind_of(link)
            if kind not in seen:
                seen.add(kind)
                queue.append((link, depth + 1))


@pytest.fixture
def ui_demo(settings, tmp_path, transactional_db):
    """The demo, with its search index, pictures and inbound folder in this test's own folders."""
    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())


# Two groups of about equal weight (pages per role), so that pytest-xdist (--dist loadgroup) gives the workers
# about the same share.
GROUPS = {role: f"ui-check-{1 + index % 2}" for index, role in enumerate(ROLES)}


@pytest.mark.parametrize(
    "role", [pytest.param(role, marks=pytest.mark.xdist_group(GROUPS[role])) for role in ROLES]
)
def test_every_page_a_role_reaches_is_clean(browser, live_server, ui_demo, role):
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `make assets` (npm ci)"
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    from avrop.organisations.models import User

    names = sorted(User.objects.values_list("username", flat=True), key=len, reverse=True)
    walk = Walk(role, re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w.])"))
    context, page = new_context(browser, live_server, "sv", 1280)
    login(page, role, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/login/" not in url)
    state = context.storage_state()
    discover_and_check(page, live_server.url, walk)
    context.close()

    for language in LANGUAGES:
        for width in WIDTHS:
            if (language, width) == ("sv", 1280):
                continue  # the walk itself
            context, page = new_context(browser, live_server, language, width, state)
            for found in walk.pages:
                if not found.checked:
                    continue
                response = page.goto(found.url, wait_until="load")
                where = f"{role}/{language}/{width}px {found.url}"
                axe = (language, width) in AXE_COMBINATIONS
                walk.problems.extend(
                    check_page(page, response, where, language, axe=axe, user_names=walk.user_names)
                )
                screenshot(page, SCREENSHOTS / f"{role}-{language}-{width}-{found.slug}.png", width)
            context.close()

    seconds = time.monotonic() - started
    summary = f"ui-check {role}: {len(walk.pages)} pages, {len(walk.problems)} problems, {seconds:.0f} s"
    (SCREENSHOTS / f"{role}.txt").write_text(
        "\n".join([summary, "", *(found.url for found in walk.pages), "", *walk.problems, ""])
    )
    print(summary)
    assert walk.problems == [], f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)
