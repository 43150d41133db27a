"""Explorers of the cybercrime notebooks: controls wired to the trainee's OWN functions (and, for two of them, a
figure from :mod:`courses.cybercrime.plots`); a trainee's error or malformed answer is said in plain words."""

from __future__ import annotations

import email.utils
import html
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from courses import explorers
from courses.cybercrime import plots
from courses.explorers import WIDE_LABEL, Explorer, expect

if TYPE_CHECKING:  # the notebook that has the auth events imports pandas, not this module
    import pandas as pd

# Length in bytes of the signature of each type, only to highlight those bytes in the hex viewer.
SIGNATURE_LENGTH = {"pdf": 5, "png": 8, "jpeg": 3, "gif": 6, "zip": 4, "exe": 2, "elf": 4, "ole2": 8}
SYSLOG_ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]
SYSLOG_YEARS = {"Dec": 2024, "Jan": 2025}  # the case's syslog lines run from December 2024 into January 2025
ADDRESSES = "a set of IP address strings"
BADGE = "<span style='color:white;background:{};padding:2px 6px;border-radius:4px'>{}: {}</span> "
BADGE_COLOURS = {"pass": "#1b7f3b", "fail": "#b00020", "softfail": "#c77700"}  # others grey


def explore_brute_force(
    events: pd.DataFrame, brute_force_suspects: Callable, compromised_ips: Callable
) -> Explorer:
    """Sliders for fail2ban's maxretry and findtime that re-run YOUR functions and redraw the flagged IPs."""
    retry = explorers.slider("max_retry (failures)", 5, 2, 20, continuous_update=False)
    window = explorers.slider("find_time_s (seconds)", 600, 60, 7200, 60, continuous_update=False)
    plot = plots.LoginsPlot(events, min_failures=retry.min)

    def update() -> str:
        answer = (events, retry.value, window.value)
        flagged = explorers.strings("brute_force_suspects", brute_force_suspects(*answer), ADDRESSES)
        compromised = explorers.strings("compromised_ips", compromised_ips(*answer), ADDRESSES)
        plot.show(flagged, compromised)
        found = f"{len(flagged)} flagged: {', '.join(sorted(flagged)) or 'none'}."
        return f"{found} {len(compromised)} compromised: {', '.join(sorted(compromised)) or 'none'}."

    return Explorer([explorers.row(retry, window)], plot.figure, plot.animated).wire(update)


def _line(name: str, words: str, tag: str = "code") -> tuple[str, str]:
    """What YOUR function ``name`` answered, as HTML (``words`` inside ``tag``) and as plain words."""
    return f"<p><b>{name}:</b> <{tag}>{html.escape(words)}</{tag}></p>", f"{name}: {words}"


def _analyser(text: widgets.Text | widgets.Textarea, parts: list[Callable], *top: widgets.Widget) -> Explorer:
    """A box of ``text`` under the controls ``top``, and what each part gives for the text as it changes: the
    answer of one of YOUR functions as HTML (in the report) and as plain words (in the message, which a notebook
    shows without a running kernel). A part that raises is named in red; the others still show."""
    report = widgets.HTML()
    app = Explorer([*top, text, report])

    def update() -> None:
        raw = text.value if isinstance(text, widgets.Textarea) else text.value.strip()  # headers as pasted
        answers, errors = [], []
        for part in parts:
            try:
                answers.append(part(raw))
            except Exception as error:  # noqa: BLE001 - a trainee's function failed: say which, show the rest
                errors.append(explorers.explain(error))
        report.value = "".join(markup for markup, _ in answers)
        app.say(" ".join([*errors, "; ".join(said for _, said in answers)]).strip(), error=bool(errors))

    return app.wire(update)


def explore_headers(
    messages: dict[str, str],
    trusted_mx: set[str],
    received_hops: Callable,
    originating_ip: Callable,
    auth_results: Callable,
    reply_to_mismatch: Callable,
) -> Explorer:
    """Pick a case e-mail or paste headers, and see YOUR functions' hops and badges."""
    choice = widgets.Dropdown(options=list(messages.items()), description="E-mail")
    text = widgets.Textarea(description="Headers", layout={"width": "95%", "height": "160px"})
    widgets.dlink((choice, "value"), (text, "value"))  # the e-mail chosen is put in the box

    def hop_table(raw: str) -> tuple[str, str]:
        import pandas as pd  # loaded already: the notebook imports it

        hops = received_hops(raw)
        ok = isinstance(hops, list) and all(isinstance(hop, dict) for hop in hops)
        expect("received_hops", hops, ok, "a list of dicts")
        table = pd.DataFrame(hops, index=range(1, len(hops) + 1)).to_html()  # numbered from 1, oldest first
        return table, f"{len(hops)} Received hops"

    def badges(raw: str) -> tuple[str, str]:
        results = auth_results(raw, trusted_mx)
        expect("auth_results", results, isinstance(results, dict), "a dict")
        found = {check.upper(): str(results.get(check, "?")) for check in ("spf", "dkim", "dmarc")}
        shown = [BADGE.format(BADGE_COLOURS.get(v, "grey"), k, html.escape(v)) for k, v in found.items()]
        return f"<p>{''.join(shown)}</p>", ", ".join(f"{k} {v}" for k, v in found.items())

    parts = [
        hop_table,
        lambda raw: _line("originating_ip", repr(originating_ip(raw, trusted_mx))),
        badges,
        lambda raw: _line("reply_to_mismatch", repr(reply_to_mismatch(raw))),
    ]
    return _analyser(text, parts, choice)


def hex_view(data: bytes, highlight: int) -> str:
    """HTML hex dump of ``data``, 16 bytes a row with their offset and text, the first ``highlight`` marked."""
    cells = [f"<mark>{byte:02X}</mark>" if at < highlight else f"{byte:02X}" for at, byte in enumerate(data)]
    text = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in data)
    rows = [
        f"{at:08X}  {' '.join(cells[at : at + 16])}  {html.escape(text[at : at + 16])}"
        for at in range(0, len(data), 16)
    ]
    return "<pre>" + ("\n".join(rows) or "(empty file: 0 bytes)") + "</pre>"


def explore_signatures(folder: Path, identify_signature: Callable, expected_type: dict[str, str]) -> Explorer:
    """Hex viewer of each file's first bytes, with the signature YOUR function recognised highlighted."""
    names = sorted(p.name for p in Path(folder).iterdir() if p.is_file())
    choice = widgets.Dropdown(options=names, description="File")
    view = widgets.HTML()

    def update() -> str:
        data = (Path(folder) / choice.value).read_bytes()[:64]
        view.value = hex_view(data, 0)  # the bytes, also when your function fails
        found = identify_signature(data)
        expect("identify_signature", found, isinstance(found, str), "a str")
        view.value = hex_view(data, SIGNATURE_LENGTH.get(found, 0))
        expected = expected_type.get(Path(choice.value).suffix.lower(), "(extension not in the table)")
        verdict = "consistent" if found == expected or expected.startswith("(") else "MISMATCH"
        return f"Extension expects {expected}; your function says {found}: {verdict}"

    return Explorer([choice, view]).wire(update)


def explore_hash_compare(normalise_hash: Callable) -> Explorer:
    """Two boxes for hash values written differently: YOUR normalise_hash decides whether they are the same."""
    first = widgets.Text("0x" + "AB" * 32, description="Hash A", layout={"width": "95%"})
    second = widgets.Text(":".join(["ab"] * 32), description="Hash B", layout={"width": "95%"})
    shown = widgets.HTML()

    def update() -> str:
        shown.value = ""  # nothing from the hashes before, when your function fails
        a, b = normalise_hash(first.value), normalise_hash(second.value)
        shown.value = "<pre>" + html.escape(f"A -> {a}\nB -> {b}") + "</pre>"
        return "the same hash" if a == b else "different hashes"

    return Explorer([first, second, shown]).wire(update)


def _reference_time(event: dict[str, str]) -> datetime | None:
    """The time of a mail or Windows event (with its UTC offset) or a syslog line's naive local time; ``None`` for
    a web-server line: only YOUR parse_apache_time reads those."""
    raw, source = event["raw_time"], event["source"]
    if source == "syslog":
        return datetime.strptime(f"{SYSLOG_YEARS[raw[:3]]} {raw}", "%Y %b %d %H:%M:%S")
    if source == "apache":
        return None
    return email.utils.parsedate_to_datetime(raw) if source == "mail" else datetime.fromisoformat(raw)


def explore_timeline(
    key_events: list[dict[str, str]], parse_apache_time: Callable, to_utc: Callable, merge_timeline: Callable
) -> Explorer:
    """Choose the time zone ASSUMED for the syslog lines and watch YOUR merge_timeline reorder the story."""
    description, width = "Assumed syslog time zone", {"width": "380px"}
    zone = widgets.Dropdown(options=SYSLOG_ZONES, description=description, style=WIDE_LABEL, layout=width)
    reference = [(event, _reference_time(event)) for event in key_events]

    def at(event: dict[str, str], when: datetime, hours: int) -> datetime:  # a syslog line read at UTC+hours
        return when.replace(tzinfo=UTC) - timedelta(hours=hours) if event["source"] == "syslog" else when

    # the time axis holds every moment a syslog line can have in any zone (UTC+14 to UTC-12) and the other known
    # times, so it stays fixed (it widens for a time outside, e.g. a wrong web-server time)
    moments = [at(event, when, hours) for event, when in reference if when for hours in (14, -12)]
    plot = plots.TimelinePlot(key_events, min(moments), max(moments))
    app = Explorer([zone], plot.figure, plot.animated)

    def update() -> None:
        times, by_source = {}, {}  # event id -> UTC time; source -> [(event id, UTC time)]
        for event, when in reference:
            name = {"apache": "parse_apache_time", "syslog": "to_utc"}.get(event["source"], "")
            if name == "parse_apache_time":
                when = parse_apache_time(event["raw_time"])
            elif name == "to_utc":
                when = to_utc(when, zone.value)
            times[event["event_id"]] = expect(name, when, isinstance(when, datetime), "a datetime")
            by_source.setdefault(event["source"], []).append((event["event_id"], when))
        order = merge_timeline(list(by_source.values()))
        expect("merge_timeline", order, isinstance(order, (list, tuple)), "a list of event ids")
        order = [str(event_id) for event_id in order]
        plot.show(times, order, zone.value)
        missing = [event_id for event_id in times if event_id not in order]
        note = f" Missing from it: {', '.join(missing)}." if missing else ""
        app.say("Order found by your merge_timeline: " + " -> ".join(order) + note, error=bool(missing))

    return app.wire(update)


def explore_indicators(
    decode_command: Callable, ip_in_network: Callable, btc_address_type: Callable, watched_networks: list[str]
) -> Explorer:
    """One box for an indicator: YOUR functions decode it, check it against watched networks, type a wallet."""
    encoded = "Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjk5L3N0YWdlMi5zaCAtbyAvdG1wL3N0YWdlMi5zaA"

    def decoded(value: str) -> tuple[str, str]:
        try:
            return _line("decode_command", repr(decode_command(value)))
        except ValueError as error:  # the documented answer for text that is not an encoded command
            return _line("decode_command", f"not an encoded command (it raised ValueError: {error})", "i")

    def watched(value: str) -> tuple[str, str]:
        try:  # ip_in_network is called only on an IPv4 or IPv6 address
            ipaddress.ip_address(value)
        except ValueError:
            return _line("ip_in_network", "not an IP address, so not checked", "i")
        hits = [cidr for cidr in watched_networks if ip_in_network(value, cidr)]
        return _line("ip_in_network", f"inside {', '.join(hits)}" if hits else "in no watched network", "i")

    parts = [decoded, watched, lambda value: _line("btc_address_type", repr(btc_address_type(value)))]
    return _analyser(widgets.Text(encoded, description="Indicator", layout={"width": "95%"}), parts)
