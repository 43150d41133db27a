"""Headless tests of the cybercrime explorers: driven by stand-in functions, they react to controls, draw what the
trainee's answer says and show a trainee's error instead of crashing."""

import functools
import html
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import ipywidgets as widgets
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output
from widget_tree import blank, blits_matching_full_draws, figure_texts, shown_texts
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
from courses.explorers import ERROR_COLOUR

T0 = pd.Timestamp("2025-01-01", tz="UTC")


def _not_written(*_args):
    raise NotImplementedError()


def _auth_events(rows: list[tuple[pd.Timestamp, str, str]]) -> pd.DataFrame:
    """A parsed auth log (as parse_auth_log returns it) from (time, "failed"/"accepted", address) rows."""
    return pd.DataFrame(
        {
            "ts": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "user": "root",
            "invalid_user": False,
            "ip": [r[2] for r in rows],
            "port": 22,
        }
    )


def _events() -> pd.DataFrame:
    rows = [(T0 + pd.Timedelta(seconds=10 * n), "failed", "203.0.113.5") for n in range(6)]
    rows += [(T0 + pd.Timedelta(seconds=10 * n), "failed", "198.51.100.7") for n in range(3)]
    rows += [(T0 + pd.Timedelta(minutes=5), "accepted", "203.0.113.5")]
    return _auth_events(rows)


def _count_rule(events, max_retry, _find_time_s):
    counts = events[events["event"] == "failed"].groupby("ip").size()
    return set(counts[counts >= max_retry].index)


def _marks(app, label: str) -> np.ndarray:
    """(time, row) of every mark of the failed-logins line with legend ``label``."""
    (line,) = [line for line in app.figure.axes[0].get_lines() if line.get_label() == label]
    return line.get_xydata()


def _said(app) -> str:
    """The explorer's message line as plain text, with its colour: ``(red)`` for a trainee's error."""
    colour = " (red)" if ERROR_COLOUR in app.message.value else ""
    return html.unescape(re.sub("<[^>]+>", "", app.message.value)) + colour


def _report(app) -> widgets.HTML:
    """The explorer's report: the one HTML widget of its panel that is not the message line."""
    (report,) = [w for w in app.panel.children if isinstance(w, widgets.HTML) and w is not app.message]
    return report


def _rows(app) -> list[str]:
    return [label.get_text() for label in app.figure.axes[0].get_yticklabels()]


def test_brute_force_app_reruns_the_trainee_functions_and_draws_their_answer():
    calls = []

    def suspects(events, max_retry, find_time_s):
        calls.append((max_retry, find_time_s))
        return _count_rule(events, max_retry, find_time_s)

    app = explore_brute_force(_events(), suspects, lambda events, *_: {"203.0.113.5"})
    assert calls == [(5, 600)]
    assert "1 flagged: 203.0.113.5." in _said(app) and "1 compromised: 203.0.113.5" in _said(app)
    assert _rows(app) == ["203.0.113.5  (6)", "198.51.100.7  (3)"], (
        "a row for every address with at least 2 failures (the lowest max_retry), most failures first"
    )
    assert set(_marks(app, "failed login, flagged address")[:, 1]) == {0}, "the flagged address is red"
    assert len(_marks(app, "failed login, flagged address")) == 6
    star = _marks(app, "accepted login, compromised address")
    assert star.tolist() == [[mdates.date2num(T0 + pd.Timedelta(minutes=5)), 0]], (
        "a star on the accepted login"
    )
    assert set(_marks(app, "failed login")[:, 1]) == {1} and len(_marks(app, "failed login")) == 3

    app.figure.canvas.draw()
    _one(app, widgets.IntSlider, "max_retry (failures)").value = 3
    redrawn = app.figure.stale  # (reading the tick labels below lays them out again, making it stale)
    assert calls[-1] == (3, 600)
    assert "2 flagged: 198.51.100.7, 203.0.113.5." in _said(app)
    assert _rows(app) == ["203.0.113.5  (6)", "198.51.100.7  (3)"] and not redrawn, (
        "the same rows: only the marks change, and they are blitted"
    )
    assert sorted(set(_marks(app, "failed login, flagged address")[:, 1])) == [0, 1], "both rows are red"
    assert app.figure.axes[0].get_ylim() == (1.5, -0.5), "two rows, the first on top"

    _one(app, widgets.IntSlider, "find_time_s (seconds)").value = 120
    assert calls[-1] == (3, 120)
    texts = figure_texts(app.figure)
    assert "failed login, flagged address" in texts and "198.51.100.7  (3)" in texts


def test_brute_force_app_keeps_an_unflagged_address_grey():
    app = explore_brute_force(_events(), lambda *_: set(), lambda *_: set())
    assert "0 flagged: none." in _said(app)
    assert len(_marks(app, "failed login")) == 9 and len(_marks(app, "failed login, flagged address")) == 0


def _blank(app) -> bool:
    """Whether the figure shows only the note that there is nothing to draw (the one style of a trainee's error)."""
    return blank(app)


@pytest.mark.parametrize("failing", ["brute_force_suspects", "compromised_ips"])
def test_brute_force_app_names_the_failing_function_and_blanks_the_figure_until_it_answers(failing):
    def brute_force_suspects(events, max_retry, find_time_s):
        if failing == "brute_force_suspects" and max_retry < 4:
            raise IndexError("list index out of range")
        return _count_rule(events, max_retry, find_time_s)

    def compromised_ips(events, max_retry, find_time_s):
        if failing == "compromised_ips" and max_retry < 4:
            raise IndexError("list index out of range")
        return {"203.0.113.5"}

    app = explore_brute_force(_events(), brute_force_suspects, compromised_ips)
    assert len(_marks(app, "failed login, flagged address")) == 6 and not _blank(app)
    retry = _one(app, widgets.IntSlider, "max_retry (failures)")
    retry.value = 3
    assert _said(app) == f"Your function {failing} raised IndexError: list index out of range (red)"
    assert _blank(app), "no marks, rows or legend from the answer before: only the note"
    retry.value = 5
    assert "1 flagged: 203.0.113.5." in _said(app) and not _blank(app), "the figure is back with the answer"
    assert len(_marks(app, "failed login, flagged address")) == 6 and "Failed SSH logins per address" in (
        figure_texts(app.figure)
    )


def test_brute_force_app_names_an_answer_that_is_not_a_set_of_addresses():
    def brute_force_suspects(*_args):
        return None  # a forgotten return

    app = explore_brute_force(_events(), brute_force_suspects, lambda *_: set())
    assert _said(app) == (
        "Your function brute_force_suspects returned NoneType None, not a set of IP address strings. (red)"
    )
    assert _blank(app)
    app = explore_brute_force(_events(), _not_written, _not_written)
    assert (
        _said(app) == "Your function _not_written is not written yet (it raises NotImplementedError). (red)"
    )
    assert _blank(app)


def test_brute_force_app_marks_a_wrongly_flagged_rare_address_in_the_row_of_other_addresses():
    events = _events()
    events.loc[len(events)] = [T0 + pd.Timedelta(seconds=5), "failed", "root", False, "192.0.2.9", 22]
    wrong = {"192.0.2.9", "192.0.2.200"}  # one failure (fewer than any max_retry), and none in the log
    app = explore_brute_force(events, lambda *_: wrong, lambda *_: set())
    assert _rows(app) == ["203.0.113.5  (6)", "198.51.100.7  (3)", "other addresses  (1)"]
    assert _marks(app, "failed login, flagged address").tolist() == [[mdates.date2num(T0) + 5 / 86400, 2]]
    assert len(_marks(app, "failed login")) == 9, "the others stay grey in their own rows"
    assert "2 flagged: 192.0.2.200, 192.0.2.9." in _said(app), "the address not in the log is in the message"


MESSAGES = {
    "a.eml": "From: a@example.com\nReply-To: b@example.org\n\nbody",
    "b.eml": "From: c@example.com\n\nbody",
}


def test_headers_app_analyses_the_chosen_message_and_survives_one_broken_function():
    seen = []

    def hops(raw):
        seen.append(raw)
        return [{"from_host": "x.example.net", "from_ip": "203.0.113.7", "by_host": "mx1", "time_utc": None}]

    def auth_results(raw, trusted_mx):
        raise NotImplementedError()

    app = explore_headers(
        MESSAGES,
        {"mx1"},
        hops,
        lambda raw, trusted: "203.0.113.7",
        auth_results,
        lambda raw: "Reply-To" in raw,
    )
    report = _report(app)
    assert "<td>x.example.net</td>" in report.value and "<code>True</code>" in report.value
    assert "Your function auth_results is not written yet (it raises NotImplementedError)" in _said(app)
    assert "SPF" not in report.value, "no badges from a function that raised"
    _one(app, widgets.Dropdown).label = "b.eml"
    assert _one(app, widgets.Textarea).value == MESSAGES["b.eml"], "the e-mail chosen is put in the box"
    assert seen[-1] == MESSAGES["b.eml"] and "<code>False</code>" in report.value, "and analysed"
    _one(app, widgets.Textarea).value = "From: pasted@example.com\n\n"
    assert seen[-1].startswith("From: pasted") and "<code>False</code>" in report.value, "pasted: analysed"
    assert _said(app) == (
        "Your function auth_results is not written yet (it raises NotImplementedError). 1 Received hops; "
        "originating_ip: '203.0.113.7'; reply_to_mismatch: False (red)"
    ), "the message names the error and sums up the answers (what a notebook shows without a kernel)"


def test_headers_app_names_an_answer_of_the_wrong_kind_and_shows_the_others():
    app = explore_headers(
        MESSAGES,
        {"mx1"},
        lambda raw: "hop 1",
        lambda raw, trusted: None,
        lambda raw, trusted: ["pass"],
        lambda raw: False,
    )
    assert _said(app) == (
        "Your function received_hops returned str 'hop 1', not a list of dicts. Your function auth_results "
        "returned list ['pass'], not a dict. originating_ip: None; reply_to_mismatch: False (red)"
    )
    assert _report(app).value == (
        "<p><b>originating_ip:</b> <code>None</code></p><p><b>reply_to_mismatch:</b> <code>False</code></p>"
    ), "the answers that could be read are shown, exactly as the functions gave them"


def test_signature_viewer_highlights_what_the_trainee_function_found(tmp_path):
    (tmp_path / "real.pdf").write_bytes(b"%PDF-1.4 placeholder")
    (tmp_path / "fake.pdf").write_bytes(b"MZ\x90\x00placeholder")

    def identify(data):
        return "pdf" if data.startswith(b"%PDF-") else "exe" if data.startswith(b"MZ") else "unknown"

    app = explore_signatures(tmp_path, identify, {".pdf": "pdf"})
    view = _report(app)
    assert "expects pdf; your function says exe: MISMATCH" in _said(app)  # fake.pdf comes first
    assert (
        view.value
        == "<pre>00000000  <mark>4D</mark> <mark>5A</mark> 90 00 70 6C 61 63 65 68 6F 6C 64 65 72  "
        + ("MZ..placeholder</pre>")
    ), "offset, hex and text of the bytes; the two bytes of the MZ signature are marked"
    _one(app, widgets.Dropdown).value = "real.pdf"
    assert "consistent" in _said(app) and view.value.count("<mark>") == 5
    broken = explore_signatures(tmp_path, _not_written, {".pdf": "pdf"})
    assert (
        _said(broken)
        == "Your function _not_written is not written yet (it raises NotImplementedError). (red)"
    )
    assert "4D 5A 90 00" in _report(broken).value and "<mark>" not in _report(broken).value, (
        "the bytes are still shown, without highlight"
    )
    _one(broken, widgets.Dropdown).value = "real.pdf"
    assert "25 50 44 46 2D" in _report(broken).value, "the bytes of the file chosen, not of the one before"


def test_hash_compare_uses_the_trainee_normalisation():
    app = explore_hash_compare(lambda text: text.strip().lower().removeprefix("0x").replace(":", ""))
    assert "the same hash" in _said(app) and "A -&gt; " + "ab" * 32 in _report(app).value
    _one(app, widgets.Text, "Hash B").value = "cd" * 32
    assert "different hashes" in _said(app)
    broken = explore_hash_compare(_not_written)
    assert "NotImplementedError" in _said(broken) and _report(broken).value == ""


def _merge(sources):
    events = [pair for source in sources for pair in source]
    return [event_id for event_id, when in sorted(events, key=lambda pair: pair[1])]


def _to_utc(local, zone, fold=0):
    return local.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def _apache(text):
    return datetime.strptime(text.strip("[]"), "%d/%b/%Y:%H:%M:%S %z")


def _dot(app, event_id: str) -> tuple[float, str]:
    """x (date number) of ``event_id``'s dot and the place(s) written in it."""
    ax = app.figure.axes[0]
    rows = [label.get_text().split(":")[0] for label in ax.get_yticklabels()]
    row = rows.index(event_id)
    (number,) = [text for text in ax.texts if text.get_position()[1] == row]
    return ax.collections[0].get_offsets()[row][0], number.get_text()


def test_timeline_moves_the_syslog_events_and_renumbers_when_the_assumed_zone_changes():
    app = explore_timeline(load_key_events(), _apache, _to_utc, _merge)
    ax = app.figure.axes[0]
    assert _said(app).index("WIN-3") < _said(app).index("SSH-1"), "read as UTC, SSH seems last"
    assert ax.get_title() == "Incident timeline, syslog read as UTC"
    ssh_utc, place_utc = _dot(app, "SSH-2")
    assert ssh_utc == mdates.date2num(datetime(2025, 1, 1, 0, 2, 41, tzinfo=UTC)) and place_utc == "8"
    win_x, _ = _dot(app, "WIN-3")
    _one(app, widgets.Dropdown).value = "Europe/Amsterdam"
    assert ax.get_title() == "Incident timeline, syslog read as Europe/Amsterdam"
    assert _said(app).index("SSH-2") < _said(app).index("WIN-2"), "in Amsterdam time it is consistent"
    ssh_ams, place_ams = _dot(app, "SSH-2")
    assert np.isclose(ssh_utc - ssh_ams, 1 / 24) and place_ams == "6", "one hour earlier, sixth in the story"
    assert _dot(app, "WIN-3") == (win_x, "8"), "a Windows event keeps its time and moves in the order"
    assert "SSH-1: first failed SSH password for deploy from 203.0.113.99" in figure_texts(app.figure)


def test_timeline_marks_an_event_that_the_trainee_merge_drops_or_repeats():
    def merge(sources):
        order = _merge(sources)
        return [event_id for event_id in order if event_id != "WEB-2"] + ["MAIL-1"]

    app = explore_timeline(load_key_events(), _apache, _to_utc, merge)
    assert _dot(app, "WEB-2")[1] == "–" and _dot(app, "MAIL-1")[1] == "1,8"
    assert "Missing from it: WEB-2." in _said(app) and _said(app).endswith("(red)")


def test_timeline_names_the_trainee_function_that_failed_and_blanks_the_figure():
    def to_utc(local, zone):
        if zone == "Asia/Tokyo":
            raise NotImplementedError()
        return _to_utc(local, zone)

    app = explore_timeline(load_key_events(), _apache, to_utc, _merge)
    _one(app, widgets.Dropdown).value = "Asia/Tokyo"
    assert _said(app) == "Your function to_utc is not written yet (it raises NotImplementedError). (red)"
    assert _blank(app), "no dots or places from the zone before"
    _one(app, widgets.Dropdown).value = "Europe/Amsterdam"
    assert not _blank(app) and _dot(app, "SSH-2")[1] == "6", "the timeline is back"

    def parse_apache_time(text):
        return None  # a forgotten return

    app = explore_timeline(load_key_events(), parse_apache_time, _to_utc, _merge)
    assert _said(app) == "Your function parse_apache_time returned NoneType None, not a datetime. (red)"
    assert _blank(app)


def test_indicator_app_reports_each_function_separately():
    def btc_address_type(address):
        raise NotImplementedError()

    app = explore_indicators(
        lambda text: text.upper(),
        lambda ip, cidr: ip.startswith(cidr[:8]),
        btc_address_type,
        ["203.0.113.0/24", "198.51.100.0/24"],
    )
    text, report = _one(app, widgets.Text), _report(app)
    text.value = "203.0.113.99"
    assert report.value == (
        "<p><b>decode_command:</b> <code>&#x27;203.0.113.99&#x27;</code></p>"
        "<p><b>ip_in_network:</b> <i>inside 203.0.113.0/24</i></p>"
    )
    text.value = "192.0.2.1"
    assert "<i>in no watched network</i>" in report.value
    assert "Your function btc_address_type is not written yet (it raises NotImplementedError)" in _said(app)


def test_indicator_app_calls_ip_in_network_only_on_ip_addresses_and_keeps_value_errors_neutral():
    calls = []

    def decode(text):
        raise ValueError("not base64")

    def ip_in_network(ip, cidr):
        calls.append(ip)
        raise ValueError(f"{ip!r} does not appear to be an IPv4 or IPv6 address")

    app = explore_indicators(decode, ip_in_network, lambda addr: None, ["203.0.113.0/24"])
    report = _report(app)
    assert calls == [] and "not an IP address" in report.value and "raised ValueError" in report.value
    assert not _said(app).endswith("(red)"), "a documented ValueError of decode_command is not shown as a bug"
    _one(app, widgets.Text).value = "2001:db8:bad::1"
    assert calls == ["2001:db8:bad::1"] and "Your function ip_in_network raised ValueError" in _said(app)


def test_every_change_of_the_failed_logins_figure_shows_the_same_as_a_full_draw():
    def suspects(events, max_retry, find_time_s):
        if max_retry == 4:
            raise IndexError("list index out of range")
        return {"203.0.113.5"} if max_retry <= 6 else set()

    events = _events()
    events.loc[len(events)] = [T0 + pd.Timedelta(seconds=50), "accepted", "root", False, "203.0.113.5", 22]
    app = explore_brute_force(events, suspects, lambda events, max_retry, _: suspects(events, max_retry, 0))
    retry = _one(app, widgets.IntSlider, "max_retry (failures)")
    # the same row grey without stars, a second row, red marks under a star, a blank figure, and back
    changes = [functools.partial(setattr, retry, "value", value) for value in (7, 3, 6, 4, 6)]
    assert blits_matching_full_draws(app, changes) >= 2, "the changes of marks alone are blitted"
    saved = io.BytesIO()
    app.figure.savefig(saved, format="rgba")  # the picture ipympl keeps in the notebook, as raw pixels
    app.figure.canvas.draw()
    assert saved.getvalue() == bytes(app.figure.canvas.buffer_rgba()), (
        "the kept picture must be the one on screen"
    )


def test_every_change_of_the_timeline_shows_the_same_as_a_full_draw():
    def to_utc(local, zone):
        if zone == "America/New_York":
            raise NotImplementedError()
        return _to_utc(local, zone)

    app = explore_timeline(load_key_events(), _apache, to_utc, _merge)
    zone = _one(app, widgets.Dropdown)
    # moved dots, a blank figure (to_utc fails) and back, moved dots again
    zones = ("Asia/Tokyo", "America/New_York", "UTC", "Europe/Amsterdam")
    changes = [functools.partial(setattr, zone, "value", value) for value in zones]
    assert blits_matching_full_draws(app, changes) >= 2, "moved dots alone are blitted"


def _many_addresses() -> pd.DataFrame:
    """Failed logins from 40 addresses (one a long IPv6 address) over five days, and one accepted login."""
    addresses = [f"198.51.100.{n}" for n in range(39)] + ["2001:db8:bad:1::66"]
    rows = [
        (T0 + pd.Timedelta(hours=3 * n + k), "failed", ip)
        for n, ip in enumerate(addresses)
        for k in range(n % 7 + 1)
    ]
    rows.append((T0 + pd.Timedelta(days=5), "accepted", addresses[-1]))
    return _auth_events(rows)


def _texts_fit(fig) -> None:
    """Every text the figure shows lies inside it, and no two overlap."""
    inside, boxes = fig.bbox, []
    for text in shown_texts(fig):
        box = text.get_window_extent()
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1, (
            f"{text.get_text()!r} runs out of the figure"
        )
        boxes.append((text.get_text(), box))
    for i, (name, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            assert not box.overlaps(other_box), f"{name!r} overlaps {other!r}"


def test_every_text_of_the_failed_logins_figure_fits_and_none_overlap():
    events = _many_addresses()
    every = set(events["ip"])
    app = explore_brute_force(events, lambda e, max_retry, w: _count_rule(e, max_retry, w), lambda *_: every)
    retry = _one(app, widgets.IntSlider, "max_retry (failures)")
    assert retry.continuous_update is False, "a slider calls the trainee's functions when it is let go"
    for value in (5, 2):
        retry.value = value
        _texts_fit(app.figure)
    flags_all = explore_brute_force(events, lambda *_: every, lambda *_: every)  # a wrong answer
    assert len(_rows(flags_all)) == 35 and _rows(flags_all)[-1] == "other addresses  (6)", (
        "34 rows for addresses with 2 or more failures, one for the 6 with one failure"
    )
    assert len(_marks(flags_all, "failed login, flagged address")) == len(events) - 1, "every failure red"
    _texts_fit(flags_all.figure)
    _texts_fit(explore_brute_force(events, _not_written, _not_written).figure)


def test_every_text_of_the_timeline_fits_and_none_overlap():
    app = explore_timeline(load_key_events(), _apache, _to_utc, _merge)
    for zone in ("UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"):
        _one(app, widgets.Dropdown).value = zone
        _texts_fit(app.figure)
    _texts_fit(explore_timeline(load_key_events(), _apache, _not_written, _merge).figure)


def test_without_a_kernel_the_explorers_show_their_answers_as_text_and_picture():
    """What nbconvert (feedback) and notebook viewers keep: the message as plain text, the figure as a PNG."""
    InteractiveShell.instance()
    headers = explore_headers(
        MESSAGES, {"mx1"}, lambda raw: [], lambda raw, trusted: "203.0.113.7", lambda raw, trusted: {}, bool
    )
    timeline = explore_timeline(load_key_events(), _apache, _to_utc, _merge)
    with capture_output() as shown:
        display(headers)
        display(timeline)
    (panel,), (controls, picture) = shown.outputs[:1], shown.outputs[1:]
    assert panel.data[
        "text/plain"
    ] == "0 Received hops; originating_ip: '203.0.113.7'; SPF ?, DKIM ?, DMARC ?; " + (
        "reply_to_mismatch: True"
    )
    assert controls.data["text/plain"].startswith("Order found by your merge_timeline: MAIL-1 -> WIN-1")
    assert picture.data["image/png"], "the first frame of the timeline"
