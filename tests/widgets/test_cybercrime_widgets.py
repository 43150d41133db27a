"""Headless tests of the cybercrime apps: driven by stand-in functions, they react to controls and show errors."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import ipywidgets as widgets
import pandas as pd
from widget_tree import one_widget as _one

from courses.cybercrime.case import load_key_events
from courses.cybercrime.widgets import (
    explore_brute_force,
    explore_hash_compare,
    explore_headers,
    explore_indicators,
    explore_signatures,
    explore_timeline,
)


def _not_written(*_args):
    raise NotImplementedError()


def _events() -> pd.DataFrame:
    t0 = pd.Timestamp("2025-01-01", tz="UTC")
    rows = [(t0 + pd.Timedelta(seconds=10 * n), "failed", "203.0.113.5") for n in range(6)]
    rows += [(t0 + pd.Timedelta(seconds=10 * n), "failed", "198.51.100.7") for n in range(3)]
    return pd.DataFrame({"ts": [r[0] for r in rows], "event": [r[1] for r in rows], "user": "root",
                         "invalid_user": False, "ip": [r[2] for r in rows], "port": 22})


def _count_rule(events, max_retry, _find_time_s):
    counts = events[events["event"] == "failed"].groupby("ip").size()
    return set(counts[counts >= max_retry].index)


def test_brute_force_app_reruns_the_trainee_functions_when_a_slider_moves():
    calls = []

    def suspects(events, max_retry, find_time_s):
        calls.append((max_retry, find_time_s))
        return _count_rule(events, max_retry, find_time_s)

    app = explore_brute_force(_events(), suspects, lambda *_: set())
    status = _one(app, widgets.HTML)
    assert "203.0.113.5" in status.value and "198.51.100.7" not in status.value
    plot = _one(app, widgets.Output)
    first_png = plot.outputs[0]["data"]["image/png"]
    assert first_png
    _one(app, widgets.IntSlider, "max_retry (failures)").value = 3
    assert calls[-1] == (3, 600)
    assert "198.51.100.7" in status.value, "lowering max_retry to 3 must flag the second address"
    assert len(plot.outputs) == 1 and plot.outputs[0]["data"]["image/png"] != first_png, \
        "the figure must be redrawn with the second address in red"
    _one(app, widgets.IntSlider, "find_time_s (seconds)").value = 120
    assert calls[-1] == (3, 120)


def test_a_new_set_of_failed_login_rows_draws_no_text_with_matplotlib(monkeypatch):
    from matplotlib.text import Text

    from courses.cybercrime.plots import FailedLoginsFigure

    drawn = []
    real_draw = Text.draw

    def draw(text, renderer):
        if text.get_visible() and text.get_text():
            drawn.append(text.get_text())
        return real_draw(text, renderer)

    monkeypatch.setattr(Text, "draw", draw)
    figure = FailedLoginsFigure(_events())
    one_row, two_rows = figure.png(set(), set()), figure.png({"198.51.100.7"}, set())
    assert drawn == [], "every text is pasted"
    assert figure.rows({"198.51.100.7"}) == ("203.0.113.5", "198.51.100.7")
    assert one_row != two_rows and figure.png(set(), set()) == one_row, "back to one row: the same picture"


def test_brute_force_app_shows_the_trainee_error_instead_of_crashing():
    app = explore_brute_force(_events(), _not_written, _not_written)
    assert "NotImplementedError" in _one(app, widgets.HTML).value
    assert _one(app, widgets.Output).outputs == ()


MESSAGES = {
    "a.eml": "From: a@example.com\nReply-To: b@example.org\n\nbody",
    "b.eml": "From: c@example.com\n\nbody",
}


def test_headers_app_analyses_the_chosen_message_and_survives_one_broken_function():
    seen = []

    def hops(raw):
        seen.append(raw)
        return [{"from_host": "x.example.net", "from_ip": "203.0.113.7", "by_host": "mx1", "time_utc": None}]

    app = explore_headers(MESSAGES, {"mx1"}, hops, lambda raw, trusted: "203.0.113.7",
                          _not_written, lambda raw: "Reply-To" in raw)
    report = _one(app, widgets.HTML)
    assert "203.0.113.7" in report.value and "another domain:</b> yes" in report.value
    assert "Your function auth_results is not written yet (it raises NotImplementedError)" in report.value
    _one(app, widgets.Dropdown).value = "b.eml"
    assert seen[-1] == MESSAGES["b.eml"] and "another domain:</b> no" in report.value, "choosing re-analyses"
    _one(app, widgets.Textarea).value = "From: pasted@example.com\n\n"
    assert "203.0.113.7" not in report.value and "press Analyse" in report.value, "old results must not stay"
    _one(app, widgets.Button).click()
    assert seen[-1].startswith("From: pasted") and "203.0.113.7" in report.value


def test_signature_viewer_highlights_what_the_trainee_function_found(tmp_path):
    (tmp_path / "real.pdf").write_bytes(b"%PDF-1.4 placeholder")
    (tmp_path / "fake.pdf").write_bytes(b"MZ\x90\x00placeholder")

    def identify(data):
        return "pdf" if data.startswith(b"%PDF-") else "exe" if data.startswith(b"MZ") else "unknown"

    app = explore_signatures(tmp_path, identify, {".pdf": "pdf"})
    view = _one(app, widgets.HTML)
    assert "MISMATCH" in view.value and view.value.count("background:#ffe066") == 2  # fake.pdf first: "MZ"
    _one(app, widgets.Dropdown).value = "real.pdf"
    assert "consistent" in view.value and view.value.count("background:#ffe066") == 5
    broken = explore_signatures(tmp_path, _not_written, {".pdf": "pdf"})
    assert "NotImplementedError" in _one(broken, widgets.HTML).value


def test_hash_compare_uses_the_trainee_normalisation():
    app = explore_hash_compare(lambda text: text.strip().lower().removeprefix("0x").replace(":", ""))
    second = _one(app, widgets.Text, "Hash B")
    verdict = _one(app, widgets.HTML)
    assert "the same hash" in verdict.value
    second.value = "cd" * 32
    assert "different" in verdict.value
    assert "NotImplementedError" in _one(explore_hash_compare(_not_written), widgets.HTML).value


def _merge(sources):
    events = [pair for source in sources for pair in source]
    return [event_id for event_id, when in sorted(events, key=lambda pair: pair[1])]


def _to_utc(local, zone, fold=0):
    return local.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def _apache(text):
    return datetime.strptime(text.strip("[]"), "%d/%b/%Y:%H:%M:%S %z")


def test_timeline_reorders_when_the_assumed_syslog_zone_changes():
    app = explore_timeline(load_key_events(), _apache, _to_utc, _merge)
    status = _one(app, widgets.HTML)
    as_utc = status.value
    assert as_utc.index("WIN-3") < as_utc.index("SSH-1"), "read as UTC, the SSH break-in seems to come last"
    plot = _one(app, widgets.Output)
    utc_png = plot.outputs[0]["data"]["image/png"]
    assert utc_png
    _one(app, widgets.Dropdown).value = "Europe/Amsterdam"
    assert status.value.index("SSH-2") < status.value.index("WIN-2"), "in Amsterdam time the story is consistent"
    assert len(plot.outputs) == 1 and plot.outputs[0]["data"]["image/png"] != utc_png, "the timeline must be redrawn"
    _one(app, widgets.Dropdown).value = "UTC"
    assert plot.outputs[0]["data"]["image/png"] == utc_png, "the same zone must give the same figure again"
    assert _one(explore_timeline(load_key_events(), _apache, _not_written, _merge), widgets.HTML).value.count(
        "NotImplementedError") == 1


def test_indicator_app_reports_each_function_separately():
    app = explore_indicators(lambda text: text.upper(), lambda ip, cidr: ip.startswith(cidr[:8]), _not_written,
                             ["203.0.113.0/24", "198.51.100.0/24"])
    text, report = _one(app, widgets.Text), _one(app, widgets.HTML)
    text.value = "203.0.113.99"
    _one(app, widgets.Button).click()
    assert "<code>&#x27;203.0.113.99&#x27;</code>" in report.value and "inside 203.0.113.0/24" in report.value
    text.value = "192.0.2.1"
    _one(app, widgets.Button).click()
    assert "not inside any watched network" in report.value
    assert "btc_address_type is not written yet (it raises NotImplementedError)" in report.value


def test_indicator_app_calls_ip_in_network_only_on_ip_addresses_and_keeps_value_errors_neutral():
    calls = []

    def decode(text):
        raise ValueError("not base64")

    def in_network(ip, cidr):
        calls.append(ip)
        raise ValueError(f"{ip!r} does not appear to be an IPv4 or IPv6 address")

    app = explore_indicators(decode, in_network, lambda addr: None, ["203.0.113.0/24"])
    report = _one(app, widgets.HTML)
    assert calls == [] and "not an IP address" in report.value and "raised ValueError" in report.value
    assert "color:#b00020" not in report.value, "a documented ValueError of decode_command is not shown as a bug"
    _one(app, widgets.Text).value = "2001:db8:bad::1"
    _one(app, widgets.Button).click()
    assert calls == ["2001:db8:bad::1"] and "Your function ip_in_network raised ValueError" in report.value
