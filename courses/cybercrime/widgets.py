"""Explorers of the cybercrime notebooks: controls wired to the trainee's OWN functions (and, for two of them, a
figure from :mod:`courses.cybercrime.plots`); a trainee's error or malformed answer is said in plain words."""

from __future__ import annotations

import email.utils
import html
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from courses.cybercrime import plots
from courses.explorers import WIDE_LABEL, Explorer, call, error_text, raising_function, row, slider

if TYPE_CHECKING:  # the notebook that has the auth events imports pandas, not this module
    import pandas as pd

# Length in bytes of the signature of each type, only to highlight those bytes in the hex viewer.
SIGNATURE_LENGTH = {"pdf": 5, "png": 8, "jpeg": 3, "gif": 6, "zip": 4, "exe": 2, "elf": 4, "ole2": 8}
SYSLOG_ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _addresses(result: Any, name: str) -> tuple[set[str], str | None]:
    """The trainee's answer as a set of addresses, or a plain-words error if it is not a collection of them."""
    if isinstance(result, (set, frozenset, list, tuple)) and all(isinstance(ip, str) for ip in result):
        return set(result), None
    return set(), f"Your function {name} returned {type(result).__name__}, not a set of IP address strings."


def _listed(addresses: set[str]) -> str:
    return ", ".join(sorted(addresses)) or "none"


def explore_brute_force(
    events: pd.DataFrame, brute_force_suspects: Callable, compromised_ips: Callable
) -> Explorer:
    """Sliders for fail2ban's maxretry and findtime that re-run YOUR functions and redraw the flagged IPs."""
    retry = slider("max_retry (failures)", 5, 2, 20, continuous_update=False)
    window = slider("find_time_s (seconds)", 600, 60, 7200, 60, continuous_update=False)
    plot = plots.LoginsPlot(events, min_failures=retry.min)
    app = Explorer([row(retry, window)], plot.figure, plot.animated)

    def update() -> None:
        result, error = call(brute_force_suspects, events, retry.value, window.value)
        flagged, error = (set(), error) if error else _addresses(result, "brute_force_suspects")
        if error:
            plot.show(set(), set(), failed="brute_force_suspects")
            return app.say(error, error=True)
        result, error = call(compromised_ips, events, retry.value, window.value)
        compromised, error = (set(), error) if error else _addresses(result, "compromised_ips")
        plot.show(flagged, compromised, failed="compromised_ips" if error else "")
        found = f"{len(flagged)} flagged: {_listed(flagged)}."
        if error:
            return app.say(f"{error} {found}", error=True)
        app.say(f"{found} {len(compromised)} compromised: {_listed(compromised)}.")

    return app.wire(update)


def _answer(
    name: str, func: Callable, args: tuple, show: Callable[[Any], tuple[str, str]]
) -> tuple[str, str, str]:
    """``show(func(*args))`` as (HTML, plain words, "") or, if the trainee's ``func`` raised or answered in a shape
    ``show`` cannot read, ("", "", plain-words error)."""
    try:
        result = func(*args)
    except Exception as error:  # noqa: BLE001 - the trainee's code may raise anything: show it
        return "", "", error_text(error, name)
    try:
        return (*show(result), "")
    except (AttributeError, KeyError, TypeError, ValueError):
        kind = type(result).__name__
        return "", "", f"Your function {name} returned {kind} {result!r:.60}: not what the task asks."


def _report(app: Explorer, report: widgets.HTML, answers: list[tuple[str, str, str]]) -> None:
    """The answers' HTML in ``report``; their plain words (errors first, in red) as the app's message, which is
    also what a notebook shows without a running kernel."""
    report.value = "".join(shown for shown, _, _ in answers)
    errors = [error for _, _, error in answers if error]
    summary = "; ".join(words for _, words, _ in answers if words)
    app.say(" ".join([*errors, summary]).strip(), error=bool(errors))


def explore_headers(
    messages: dict[str, str],
    trusted_mx: set[str],
    received_hops: Callable,
    originating_ip: Callable,
    auth_results: Callable,
    reply_to_mismatch: Callable,
) -> Explorer:
    """Pick a case e-mail or paste headers, press Analyse, and see YOUR functions' hops and badges."""
    choice = widgets.Dropdown(options=list(messages), description="E-mail")
    size = {"width": "95%", "height": "160px"}
    text = widgets.Textarea(next(iter(messages.values()), ""), description="Headers", layout=size)
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()
    app = Explorer([choice, text, button, report])
    analysed = [None]

    def badge(name: str, result: object) -> str:
        colour = {"pass": "#1b7f3b", "fail": "#b00020", "softfail": "#c77700"}.get(str(result), "#666")
        style = f"background:{colour};color:white;padding:2px 6px;border-radius:4px;margin-right:6px"
        return f"<span style='{style}'>{name.upper()}: {html.escape(str(result))}</span>"

    def hop_table(hops: list[dict]) -> tuple[str, str]:
        rows = ""
        for number, hop in enumerate(hops, 1):
            cells = [number] + [hop.get(key) for key in ("from_host", "from_ip", "by_host", "time_utc")]
            rows += "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells) + "</tr>"
        heads = "".join(f"<th>{head}</th>" for head in ("hop", "from", "IP", "by", "time (UTC)"))
        return f"<table><tr>{heads}</tr>{rows}</table>", f"{len(hops)} Received hops"

    def origin(ip: object) -> tuple[str, str]:
        return f"<p><b>Originating IP:</b> {html.escape(str(ip))}</p>", f"originating IP {ip}"

    def badges(results: dict) -> tuple[str, str]:
        found = {k: results.get(k, "?") for k in ("spf", "dkim", "dmarc")}
        words = ", ".join(f"{k.upper()} {v}" for k, v in found.items())
        return "<p>" + "".join(badge(k, v) for k, v in found.items()) + "</p>", words

    def mismatch(answer: object) -> tuple[str, str]:
        said = "yes" if answer else "no"
        return f"<p><b>Reply-To on another domain:</b> {said}</p>", f"Reply-To on another domain: {said}"

    def analyse(_button: object = None) -> None:
        raw = text.value
        answers = [
            _answer("received_hops", received_hops, (raw,), hop_table),
            _answer("originating_ip", originating_ip, (raw, trusted_mx), origin),
            _answer("auth_results", auth_results, (raw, trusted_mx), badges),
            _answer("reply_to_mismatch", reply_to_mismatch, (raw,), mismatch),
        ]
        _report(app, report, answers)
        analysed[0] = raw

    def pick(change: dict) -> None:
        text.value = messages[change["new"]]
        analyse()

    def edited(change: dict) -> None:
        # Results of other headers must not stay on screen: ask for a new analysis instead.
        if change["new"] != analysed[0]:
            report.value = ""
            app.say("The headers changed: press Analyse to see the new results.")

    choice.observe(pick, names="value")
    text.observe(edited, names="value")
    button.on_click(analyse)
    analyse()
    return app


def hex_view(data: bytes, highlight: int, width: int = 16, rows: int = 4) -> str:
    """HTML hex dump of the first bytes, with the first ``highlight`` bytes marked in yellow."""
    lines = []
    for start in range(0, min(len(data), width * rows), width):
        chunk = data[start : start + width]
        cells = [
            f"<span style='background:#ffe066'>{b:02X}</span>" if start + i < highlight else f"{b:02X}"
            for i, b in enumerate(chunk)
        ]
        text = "".join(html.escape(chr(b)) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08X}  {' '.join(cells)}  {text}")
    return "<pre>" + ("\n".join(lines) or "(empty file: 0 bytes)") + "</pre>"


def explore_signatures(folder: Path, identify_signature: Callable, expected_type: dict[str, str]) -> Explorer:
    """Hex viewer of each file's first bytes, with the signature YOUR function recognised highlighted."""
    names = sorted(p.name for p in Path(folder).iterdir() if p.is_file())
    choice = widgets.Dropdown(options=names, description="File")
    view = widgets.HTML()
    app = Explorer([choice, view])

    def update() -> None:
        data = (Path(folder) / choice.value).read_bytes()[:64]
        expected = expected_type.get(Path(choice.value).suffix.lower(), "(extension not in the table)")
        found, error = call(identify_signature, data)
        view.value = hex_view(data, 0 if error else SIGNATURE_LENGTH.get(found, 0))
        if error:
            return app.say(error, error=True)
        verdict = "consistent" if found == expected or expected.startswith("(") else "MISMATCH"
        app.say(f"Extension expects {expected}; your function says {found}: {verdict}")

    return app.wire(update)


def explore_hash_compare(normalise_hash: Callable) -> Explorer:
    """Two boxes for hash values written differently: YOUR normalise_hash decides whether they are the same."""
    first = widgets.Text("0x" + "AB" * 32, description="Hash A", layout={"width": "95%"})
    second = widgets.Text(":".join(["ab"] * 32), description="Hash B", layout={"width": "95%"})
    shown = widgets.HTML()
    app = Explorer([first, second, shown])

    def update() -> None:
        a, error = call(normalise_hash, first.value)
        b, error = (None, error) if error else call(normalise_hash, second.value)
        if error:
            shown.value = ""
            return app.say(error, error=True)
        shown.value = "<pre>" + html.escape(f"A -> {a}\nB -> {b}") + "</pre>"
        app.say("the same hash" if a == b else "different hashes")

    return app.wire(update)


def _syslog_local(raw: str, first_year: int) -> datetime:
    """Naive local time of a syslog stamp; the log runs from December of ``first_year`` into January."""
    month = MONTHS.index(raw[:3]) + 1
    year = first_year if month == 12 else first_year + 1
    return datetime.strptime(f"{year} {month} {raw[4:].strip()}", "%Y %m %d %H:%M:%S")


def _utc(event: dict[str, str], first_year: int, apache: Callable, syslog: Callable) -> datetime:
    """The UTC time of a key event: ``apache(raw)`` for a web-server line, ``syslog(naive local time)`` for a
    syslog line, the reference parsing for the others (mail, ISO 8601)."""
    raw, source = event["raw_time"], event["source"]
    if source == "apache":
        return apache(raw)
    if source == "syslog":
        return syslog(_syslog_local(raw, first_year))
    return email.utils.parsedate_to_datetime(raw) if source == "mail" else datetime.fromisoformat(raw)


def explore_timeline(
    key_events: list[dict[str, str]],
    parse_apache_time: Callable,
    to_utc: Callable,
    merge_timeline: Callable,
    syslog_first_year: int = 2024,
) -> Explorer:
    """Choose the time zone ASSUMED for the syslog lines and watch YOUR merge_timeline reorder the story."""
    description, width = "Assumed syslog time zone", {"width": "380px"}
    zone = widgets.Dropdown(options=SYSLOG_ZONES, description=description, style=WIDE_LABEL, layout=width)

    def apache(raw: str) -> datetime:
        return datetime.strptime(raw.strip("[]"), "%d/%b/%Y:%H:%M:%S %z")

    def syslog_at(hours: int) -> Callable[[datetime], datetime]:
        return lambda local: local.replace(tzinfo=UTC) + timedelta(hours=hours)

    def syslog_by_trainee(local: datetime) -> datetime:
        return to_utc(local, zone.value)

    # the time axis holds every moment an event can have in any zone (UTC+14 to UTC-12), so it stays fixed
    moments = [
        _utc(event, syslog_first_year, apache, syslog_at(h)) for event in key_events for h in (-14, 12)
    ]
    events = [(event["event_id"], event["source"], event["what"]) for event in key_events]
    plot = plots.TimelinePlot(events, min(moments), max(moments))
    app = Explorer([zone], plot.figure, plot.animated)

    def answer() -> tuple[dict[str, datetime], list[str], str | None]:
        """The UTC time of each event and their order by YOUR functions, or what went wrong in plain words."""
        times: dict[str, datetime] = {}
        by_source: dict[str, list] = {}
        try:
            for event in key_events:
                when = _utc(event, syslog_first_year, parse_apache_time, syslog_by_trainee)
                if not isinstance(when, datetime):
                    name = "parse_apache_time" if event["source"] == "apache" else "to_utc"
                    raw, kind = event["raw_time"], type(when).__name__
                    return {}, [], f"Your function {name} returned {kind} for {raw!r}, not a datetime."
                times[event["event_id"]] = when
                by_source.setdefault(event["source"], []).append((event["event_id"], when))
            order = merge_timeline(list(by_source.values()))
        except Exception as error:  # noqa: BLE001 - the trainee's code may raise anything: show it
            return {}, [], error_text(error, raising_function(error))
        if not isinstance(order, (list, tuple)):
            kind = type(order).__name__
            return {}, [], f"Your function merge_timeline returned {kind}, not a list of event ids."
        return times, [str(event_id) for event_id in order], None

    def update() -> None:
        times, order, error = answer()
        read_as = f"syslog read as {zone.value}"
        title = (
            f"No timeline ({read_as}): see the message above" if error else f"Incident timeline, {read_as}"
        )
        plot.show(times, order, title)
        if error:
            return app.say(error, error=True)
        missing = [event_id for event_id in times if event_id not in order]
        note = f" Missing from it: {', '.join(missing)}." if missing else ""
        app.say("Order found by your merge_timeline: " + " -> ".join(order) + note, error=bool(missing))

    return app.wire(update)


def explore_indicators(
    decode_command: Callable, ip_in_network: Callable, btc_address_type: Callable, watched_networks: list[str]
) -> Explorer:
    """One box for an indicator: YOUR functions decode it, check it against watched networks, type a wallet."""
    encoded = "Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjk5L3N0YWdlMi5zaCAtbyAvdG1wL3N0YWdlMi5zaA"
    text = widgets.Text(encoded, description="Indicator", layout={"width": "95%"})
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()
    app = Explorer([text, button, report])

    def line(name: str, words: str, tag: str = "span", grey: bool = False) -> tuple[str, str]:
        style = " style='color:#666'" if grey else ""
        return f"<p><b>{name}:</b> <{tag}{style}>{html.escape(words)}</{tag}></p>", f"{name}: {words}"

    def inside(hits: list[str]) -> tuple[str, str]:
        return line(
            "ip_in_network", f"inside {', '.join(hits)}" if hits else "not inside any watched network"
        )

    def analyse(_button: object = None) -> None:
        value = text.value.strip()
        try:
            decoded = line("decode_command", repr(decode_command(value)), tag="code") + ("",)
        except ValueError as exc:  # the documented answer for text that is not an encoded command
            why = f"not an encoded command (your function raised ValueError: {exc})"
            decoded = line("decode_command", why, grey=True) + ("",)
        except Exception as exc:  # noqa: BLE001 - the trainee's code may raise anything: show it
            decoded = ("", "", error_text(exc, "decode_command"))
        try:  # ip_in_network is called only on an IPv4 or IPv6 address
            ipaddress.ip_address(value)
        except ValueError:
            why = "not an IP address, so not checked against the watched networks"
            watched = (*line("ip_in_network", why, grey=True), "")
        else:
            found = lambda: [cidr for cidr in watched_networks if ip_in_network(value, cidr)]
            watched = _answer("ip_in_network", found, (), inside)
        wallet = _answer(
            "btc_address_type", btc_address_type, (value,), lambda kind: line("btc_address_type", repr(kind))
        )
        _report(app, report, [decoded, watched, wallet])

    button.on_click(analyse)
    analyse()
    return app
