"""The encoding playground (docs/playground.md) in Chromium.

Its encoders are checked against the reference outputs that the encoding
lab's snippet writes from the Python at build time (section
``playground_reference``): the same spikes (SHA-256 of the int8 tensor), the
same numbers, the same error messages. Then what a reader does: pick,
draw (mouse and touch), follow a chapter's preset, share the address, use
only the keyboard, ask for less motion, switch the palette, or have no
JavaScript at all. (Console errors, other hosts, axe and the phone width are
checked for every page in test_browser.py, this one included.)
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from helpers import LANGUAGES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# The page's own modules, as window.app (app.js) and window.encoders
LOAD_MODULES = """() => {
  const src = document.querySelector("script[type=module][src*=playground]").src;
  return Promise.all([import(src), import(new URL("encoders.js", src))])
    .then(([app, encoders]) => { window.app = app; window.encoders = encoders; });
}"""
# Runs every reference case through the playground's own code path (the
# ENCODERS table the page uses, then summary()), and hashes the spikes.
RUN_REFERENCE = """async ([reference, digits]) => {
  const [app, E] = [window.app, window.encoders];
  const hex = async (spikes) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", spikes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const results = [];
  for (const c of reference) {
    if (c.signal) {  // the delta chapter's float32 edge cases
      const frames = { data: Float32Array.from(c.signal), steps: c.signal.length, units: 1 };
      results.push({ spikes: [...E.delta(frames, c.settings).spikes] });
      continue;
    }
    const encoder = app.ENCODERS[c.encoder];
    const x = app.pixelsOf(digits.pixels[c.digit]);
    const video = encoder.moving ? E.movingFrames(x) : null;
    try {
      const out = encoder.encode(video ?? x, c.settings, c.seed);
      const decoded = encoder.decode(out, c.settings, video);
      const s = app.summary(out, x, video, decoded, encoder);
      results.push({ steps: out.steps, units: out.units, count: s.count,
                     first: s.first, mse: s.mse, sha256: await hex(out.spikes) });
    } catch (error) {
      results.push({ error: error.message });
    }
  }
  return results;
}"""


def shown(value: float) -> str:
    """A number as the page shows it: Intl.NumberFormat with at most 4
    decimals (both languages group thousands with commas)."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


@pytest.fixture(scope="module")
def reference(site):
    return json.loads((site.path / "figures/encoding_lab/playground_reference.json").read_text())


@pytest.fixture(scope="module")
def digits(site):
    return json.loads((site.path / "figures/encoding_lab/playground_digits.json").read_text())


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    yield context
    context.close()


def open_playground(context, server, query="", language="en"):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}{LANGUAGES[language]}playground/{query}")
    page.wait_for_function("window.playground && window.playground.result !== undefined")
    page.evaluate(LOAD_MODULES)
    page.errors = errors
    return page


def controls(page) -> dict:
    """What the controls show: the encoder and each setting's value."""
    return page.evaluate(
        """() => {
      const values = { encoder: document.querySelector('#pg-encoder').value };
      for (const input of document.querySelectorAll('.pg-settings input')) {
        values[input.id.slice(3)] = input.type === 'checkbox' ? input.checked : Number(input.value);
      }
      return values;
    }"""
    )


def raster_pixels(page) -> str:
    return page.evaluate("document.querySelector('.pg-raster').toDataURL()")


def numbers(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.pg-stats dt')]
            .map((dt) => [dt.textContent, dt.nextElementSibling.textContent]))"""
    )


# --- the same as the Python --------------------------------------------------


def test_every_encoder_gives_the_pythons_spikes_numbers_and_errors(
    context, server, reference, digits
):
    page = open_playground(context, server)
    results = page.evaluate(RUN_REFERENCE, [reference, digits])
    encoders = page.evaluate("Object.keys(window.app.ENCODERS)")
    assert {c["encoder"] for c in reference} == set(encoders), "an encoder lacks a reference"
    for case, got in zip(reference, results, strict=True):
        where = {k: case.get(k) for k in ("encoder", "settings", "digit", "seed", "signal")}
        if "signal" in case:
            assert got["spikes"] == case["spikes"], where
        elif "error" in case:
            assert got.get("error") == case["error"], where
        else:
            assert "error" not in got, (where, got.get("error"))
            assert (got["steps"], got["units"]) == (case["steps"], case["units"]), where
            assert got["sha256"] == case["sha256"], f"different spikes: {where}"
            assert got["count"] == case["count"], where
            assert got["first"] == pytest.approx(case["first"], rel=1e-6), where
            if case["mse"] is None:
                assert got["mse"] is None, where
            else:
                assert got["mse"] == pytest.approx(case["mse"], rel=1e-4, abs=1e-9), where
    assert page.errors == []


def test_rounding_is_torchs_half_to_even(context, server):
    """No reference digit hits an exact tie, so check torch.round's rule
    here: halves go to the even neighbour, as Python's round() does too."""
    values = [v / 2 for v in range(-7, 8)]
    page = open_playground(context, server)
    rounded = page.evaluate("(values) => values.map(window.encoders.roundHalfEven)", values)
    assert (
        rounded == [round(v) for v in values] == [-4, -3, -2, -2, -2, -1, 0, 0, 0, 1, 2, 2, 2, 3, 4]
    )
    page.close()


def test_random_encoders_change_with_the_seed_and_repeat_with_it(reference):
    """Seeds 0 and 1 give different spikes (the generator is really seeded)."""
    by_seed = {}
    for case in reference:
        if case["encoder"] in ("rate", "poisson") and "sha256" in case:
            key = (case["encoder"], json.dumps(case["settings"]), case["digit"])
            by_seed.setdefault(key, {})[case["seed"]] = case["sha256"]
    assert by_seed and all(len(set(s.values())) == 2 for s in by_seed.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_numbers_shown_are_the_pythons(context, server, reference, language):
    # a random, a still-image lab and a moving-digit encoder (the parity test
    # above checks every case's numbers; this checks what the page shows)
    cases = [c for c in reference if c.get("mse") is not None and c["digit"] == 1]
    cases = [next(c for c in cases if c["encoder"] == e) for e in ("rate", "population", "delta")]
    for case in cases:
        query = {"encoder": case["encoder"], "digit": case["digit"], "seed": case["seed"]}
        query.update({k: int(v) if isinstance(v, bool) else v for k, v in case["settings"].items()})
        page = open_playground(
            context, server, "?" + "&".join(f"{k}={v}" for k, v in query.items()), language
        )
        values = list(numbers(page).values())
        count, per_pixel, first, mse = values
        assert count == f"{case['count']:,}", case
        assert per_pixel == shown(case["count"] / 784), case
        assert first == shown(case["first"]), case
        # the error with 3 significant digits (it can be 0.00000213)
        assert float(mse.replace(",", "")) == pytest.approx(case["mse"], rel=5e-3), case
        page.close()


def test_an_error_snnTorch_raises_is_shown_with_its_message(context, server, reference):
    case = next(c for c in reference if "error" in c)
    page = open_playground(context, server, "?encoder=latency&num_steps=10")
    problem = page.inner_text(".pg-problem")
    assert case["error"].splitlines()[0] in problem
    assert page.get_attribute(".pg-problem", "role") == "alert"
    page.close()


# --- what a reader does ------------------------------------------------------


def stroke(page, points):
    box = page.locator(".pg-pad").bounding_box()
    xy = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in points]
    return xy


def test_drawing_with_the_mouse_changes_the_input_and_the_raster(context, server):
    page = open_playground(context, server)
    before, first_digit = raster_pixels(page), page.evaluate("[...window.playground.result.x]")
    points = stroke(page, [(0.5, 0.15), (0.5, 0.5), (0.52, 0.85)])
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    drawn = page.evaluate("[...window.playground.result.x]")
    assert drawn != first_digit and sum(drawn) > 0
    assert raster_pixels(page) != before
    assert page.evaluate("document.querySelectorAll('.pg-digits input:checked').length") == 0
    # MNIST's framing: ink inside a 20x20 box, centred by mass near (13.5, 13.5)
    rows = [i // 28 for i, v in enumerate(drawn) if v > 0]
    assert max(rows) - min(rows) <= 20
    # a link shares the drawn digit, byte for byte
    # (the address follows the digit after a pause: take both at one moment)
    address, digit = page.wait_for_function(
        """() => {
      const x = window.playground.result.x;
      return new URLSearchParams(location.search).get("drawn") === window.app.toBase64(x)
        && [location.href, [...x]];
    }"""
    ).json_value()
    shared = context.new_page()
    shared.goto(address)
    shared.wait_for_function("window.playground && window.playground.result")
    assert shared.evaluate("[...window.playground.result.x]") == digit
    assert shared.evaluate("document.querySelectorAll('.pg-digits input:checked').length") == 0
    shared.close()
    # undo takes the stroke back: nothing drawn, the sample digit again
    page.get_by_role("button", name="Undo").click()
    assert page.evaluate("[...window.playground.result.x]") == first_digit
    page.close()


def test_drawing_with_a_finger_at_phone_width(browser, server):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = open_playground(context, server, language="ko")
    page.locator(".pg-pad").scroll_into_view_if_needed()
    before = raster_pixels(page)
    scroll_before = page.evaluate("window.scrollY")
    points = stroke(page, [(0.3, 0.3), (0.5, 0.5), (0.7, 0.7)])
    cdp = context.new_cdp_session(page)
    for kind, (x, y) in zip(["touchStart", "touchMove", "touchMove"], points):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(100)
    assert sum(page.evaluate("[...window.playground.result.x]")) > 0
    assert raster_pixels(page) != before
    assert page.evaluate("window.scrollY") == scroll_before, "the finger scrolled the page"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", ["rate-coding", "latency-coding", "delta-modulation"])
def test_each_chapter_links_to_the_playground_with_its_example(
    site, context, server, chapter, language
):
    built = (site.path / LANGUAGES[language] / chapter / "index.html").read_text()
    links = re.findall(r'href="(\.\./playground/\?[^"]*)"', built)
    assert len(links) == 1, "one preset link per chapter"
    href = html.unescape(links[0])
    preset = dict(parse_qsl(urlsplit(href).query))
    page = context.new_page()
    page.goto(f"{server}{LANGUAGES[language]}{chapter}/{href}")  # where the link leads
    page.wait_for_function("window.playground && window.playground.result")
    shown_values = controls(page)
    assert shown_values["encoder"] == preset.pop("encoder") == chapter.split("-")[0]
    assert page.evaluate("document.querySelector('.pg-digits input:checked').value") == preset.pop(
        "digit"
    )
    preset.pop("seed", None)
    for name, value in preset.items():
        expected = value == "1" if isinstance(shown_values[name], bool) else float(value)
        assert shown_values[name] == expected, name
    page.close()


def test_the_address_holds_the_settings(context, server):
    page = open_playground(context, server)
    page.select_option("#pg-encoder", "latency")
    page.eval_on_selector(
        "#pg-tau", "(input) => { input.value = 5; input.dispatchEvent(new Event('input')); }"
    )
    page.check("#pg-clip")
    page.check(".pg-digits input[value='3']")
    # the address follows once the controls rest (browsers limit rewrites)
    page.wait_for_function("location.search.includes('digit=3')")
    address = page.evaluate("location.href")  # (page.url may lag a replaceState)
    shown_before, pixels = controls(page), raster_pixels(page)
    assert (
        dict(parse_qsl(urlsplit(address).query)).items()
        >= {
            "encoder": "latency",
            "tau": "5",
            "clip": "1",
            "digit": "3",
        }.items()
    )
    # the language switcher carries them to the other language
    switch = page.get_attribute("a[hreflang='ko']", "href")
    assert urlsplit(switch).query == urlsplit(address).query
    again = context.new_page()
    again.goto(address)
    again.wait_for_function("window.playground && window.playground.result")
    assert controls(again) == shown_before
    assert raster_pixels(again) == pixels
    page.close()
    again.close()


def test_every_control_works_from_the_keyboard(context, server):
    page = open_playground(context, server)

    def tab_to(selector, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return
        raise AssertionError(f"Tab never reaches {selector}")

    tab_to(".pg-digits input")
    page.keyboard.press("ArrowRight")  # radio group: the next digit
    assert page.evaluate("document.querySelector('.pg-digits input:checked').value") == "1"
    tab_to("#pg-encoder")
    page.keyboard.press("ArrowDown")
    assert controls(page)["encoder"] == "latency"
    tab_to("#pg-num_steps")
    page.keyboard.press("ArrowLeft")
    assert controls(page)["num_steps"] == 99
    page.wait_for_function("location.search.includes('num_steps=99')")
    tab_to("#pg-clip")
    page.keyboard.press("Space")
    assert controls(page)["clip"] is True
    tab_to(".pg-time button")
    pressed = page.get_attribute(".pg-time button", "aria-pressed")
    page.keyboard.press("Enter")
    assert page.get_attribute(".pg-time button", "aria-pressed") != pressed
    tab_to("#pg-time")
    page.keyboard.press("End")
    assert page.evaluate("document.querySelector('#pg-time').value") == "98"
    tab_to(".pg-code button")
    page.keyboard.press("Enter")
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text(".pg-code code")
    # the random encoders' seed: the field and the "new draw" button
    page.select_option("#pg-encoder", "rate")
    page.focus("#pg-encoder")
    tab_to("#pg-seed")
    page.keyboard.type("7")
    page.keyboard.press("Tab")  # leaving the field commits it, onto "new draw"
    page.keyboard.press("Enter")
    assert page.input_value("#pg-seed") == "8"
    page.wait_for_function("location.search.includes('seed=8')")
    page.close()


def test_the_python_call_is_the_current_settings(context, server):
    page = open_playground(context, server, "?encoder=latency&num_steps=50&tau=5&linear=1")
    assert page.inner_text(".pg-code code") == (
        "spikes = spikegen.latency(x, num_steps=50, tau=5, threshold=0.01, linear=True)"
    )
    page.close()
    page = open_playground(context, server, "?encoder=rate&num_steps=20&gain=0.5&seed=3")
    assert page.inner_text(".pg-code code") == (
        "torch.manual_seed(3)\nspikes = spikegen.rate(x, num_steps=20, gain=0.5)"
    )
    page.close()


def test_numbers_are_announced_and_canvases_say_what_they_show(context, server):
    page = open_playground(context, server)
    assert page.get_attribute(".pg-stats", "aria-live") == "polite"
    label = page.get_attribute(".pg-raster", "aria-label")
    count = numbers(page)["spikes"]
    assert "784 neurons" in label and f"{count} spikes" in label
    assert page.get_attribute(".pg-frame", "aria-label").startswith("28×28 frame at time step")
    page.close()


def test_reduced_motion_turns_autoplay_off(browser, server):
    for motion, playing in (("reduce", "false"), ("no-preference", "true")):
        context = browser.new_context(reduced_motion=motion)
        page = open_playground(context, server)
        assert page.get_attribute(".pg-time button", "aria-pressed") == playing, motion
        context.close()


def test_both_palettes_draw_distinct_on_and_off_spikes(context, server):
    page = open_playground(context, server, "?encoder=delta&threshold=0.25&off_spike=1")
    colours = {}
    for scheme in ("default", "slate"):
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        page.wait_for_timeout(50)
        colours[scheme] = page.evaluate(
            """() => {
          const style = getComputedStyle(document.querySelector('.playground'));
          const ctx = document.querySelector('.pg-raster').getContext('2d');
          return { bg: style.getPropertyValue('--pg-bg').trim(),
                   corner: [...ctx.getImageData(0, 0, 1, 1).data].slice(0, 3),
                   on: style.getPropertyValue('--pg-on').trim(),
                   off: style.getPropertyValue('--pg-off').trim() };
        }"""
        )
    assert colours["default"]["bg"] != colours["slate"]["bg"]
    assert colours["default"]["corner"] != colours["slate"]["corner"]  # redrawn
    for scheme in colours.values():
        assert len({scheme["bg"], scheme["on"], scheme["off"]}) == 3
    page.close()


def test_without_javascript_the_page_explains_and_shows_a_figure(browser, server):
    context = browser.new_context(java_script_enabled=False)
    for language in LANGUAGES:
        page = context.new_page()
        page.goto(f"{server}{LANGUAGES[language]}playground/")
        figure = page.locator(".playground-fallback img")
        assert figure.is_visible()
        assert page.evaluate("document.querySelector('.playground-fallback img').naturalWidth") > 0
        assert page.inner_text(".playground") == ""
        page.close()
    context.close()
