"""Interactive explorers for the cybercrime notebooks.

Each ``explore_*`` function takes the trainee's OWN graded functions, wires ipywidgets controls to them and
returns the app (:class:`courses.explorers.Explorer`). If a trainee's function raises or returns the wrong kind
of answer, the app says so in plain words instead of crashing.
"""

from __future__ import annotations

import email.utils
import html
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from courses import explorers
from courses.explorers import Explorer, call, error_text, raising_function

if TYPE_CHECKING:  # only the notebook that has the auth events needs pandas; importing it costs ~0.4 s
    import pandas as pd

# matplotlib is imported by the two explorers that draw (courses.cybercrime.plots), not by the notebooks
# without a figure.

# Length in bytes of the signature of each type, only to highlight those bytes in the hex viewer.
SIGNATURE_LENGTH = {"pdf": 5, "png": 8, "jpeg": 3, "gif": 6, "zip": 4, "exe": 2, "elf": 4}
SYSLOG_ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
GREY = "color:#666"


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
    from courses.cybercrime import plots

    retry = explorers.slider("max_retry (failures)", 5, 2, 20, continuous_update=False)
    window = explorers.slider("find_time_s (seconds)", 600, 60, 7200, 60, continuous_update=False)
    logins = plots.logins_by_address(events)
    plot = plots.logins_figure(logins)
    app = Explorer([explorers.row(retry, window)], plot.fig, animated=[plot.grey, plot.stars, plot.red])

    def update() -> None:
        result, error = call(brute_force_suspects, events, retry.value, window.value)
        flagged, error = (set(), error) if error else _addresses(result, "brute_force_suspects")
        if error:
            plots.show_logins(plot, logins, set(), set(), failed="brute_force_suspects")
            return app.say(error, error=True)
        result, error = call(compromised_ips, events, retry.value, window.value)
        compromised, error = (set(), error) if error else _addresses(result, "compromised_ips")
        plots.show_logins(plot, logins, flagged, compromised, failed="compromised_ips" if error else "")
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
        return (
            "",
            "",
            f"Your function {name} returned {type(result).__name__} {result!r:.60}: not what the task asks.",
        )


def _report(app: Explorer, report: widgets.HTML, answers: list[tuple[str, str, str]]) -> None:
    """The answers' HTML in ``report``; their plain words (errors first, in red) as the app's message, which is
    also what a notebook shows without a running kernel."""
    report.value = "".join(shown for shown, _, _ in answers)
    errors = [error for _, _, error in answers if error]
    app.say(
        " ".join(errors + ["; ".join(words for _, words, _ in answers if words)]).strip(), error=bool(errors)
    )


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
    text = widgets.Textarea(
        value=next(iter(messages.values()), ""),
        description="Headers",
        layout=widgets.Layout(width="95%", height="160px"),
    )
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()
    app = Explorer([choice, text, button, report])
    analysed = [None]

    def badge(name: str, result: object) -> str:
        colour = {"pass": "#1b7f3b", "fail": "#b00020", "softfail": "#c77700"}.get(str(result), "#666")
        return (
            f"<span style='background:{colour};color:white;padding:2px 6px;border-radius:4px;margin-right:6px'>"
            f"{name.upper()}: {html.escape(str(result))}</span>"
        )

    def hop_table(hops: list[dict]) -> tuple[str, str]:
        cells = ("from_host", "from_ip", "by_host", "time_utc")
        rows = "".join(
            f"<tr><td>{n + 1}</td>"
            + "".join(f"<td>{html.escape(str(hop.get(c)))}</td>" for c in cells)
            + "</tr>"
            for n, hop in enumerate(hops)
        )
        heads = "".join(f"<th>{head}</th>" for head in ("hop", "from", "IP", "by", "time (UTC)"))
        return f"<table><tr>{heads}</tr>{rows}</table>", f"{len(hops)} Received hops"

    def origin(ip: object) -> tuple[str, str]:
        return f"<p><b>Originating IP:</b> {html.escape(str(ip))}</p>", f"originating IP {ip}"

    def badges(results: dict) -> tuple[str, str]:
        found = {k: results.get(k, "?") for k in ("spf", "dkim", "dmarc")}
        words = ", ".join(f"{k.upper()} {v}" for k, v in found.items())
        return "<p>" + "".join(badge(k, v) for k, v in found.items()) + "</p>", words

    def mismatch(answer: object) -> tuple[str, str]:
        words = f"Reply-To on another domain: {'yes' if answer else 'no'}"
        return f"<p><b>{words.split(':')[0]}:</b> {'yes' if answer else 'no'}</p>", words

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
    first = widgets.Text(description="Hash A", layout=widgets.Layout(width="95%"), value="0x" + "AB" * 32)
    second = widgets.Text(
        description="Hash B", layout=widgets.Layout(width="95%"), value=":".join(["ab"] * 32)
    )
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


def _time_range(key_events: list[dict[str, str]], first_year: int) -> tuple[float, float]:
    """Date numbers of the earliest and latest moment a key event can have, whatever zone syslog is read in."""
    import matplotlib.dates as mdates

    moments = []
    for event in key_events:
        raw, source = event["raw_time"], event["source"]
        if source == "syslog":  # the same clock time is 14 h earlier at UTC+14 and 12 h later at UTC-12
            local = _syslog_local(raw, first_year).replace(tzinfo=UTC)
            moments += [local - timedelta(hours=14), local + timedelta(hours=12)]
        elif source == "apache":
            moments.append(datetime.strptime(raw.strip("[]"), "%d/%b/%Y:%H:%M:%S %z"))
        elif source == "mail":
            moments.append(email.utils.parsedate_to_datetime(raw))
        else:
            moments.append(datetime.fromisoformat(raw))
    numbers = [float(mdates.date2num(moment)) for moment in moments]
    return min(numbers, default=0.0), max(numbers, default=1.0)


def explore_timeline(
    key_events: list[dict[str, str]],
    parse_apache_time: Callable,
    to_utc: Callable,
    merge_timeline: Callable,
    syslog_first_year: int = 2024,
) -> Explorer:
    """Choose the time zone ASSUMED for the syslog lines and watch YOUR merge_timeline reorder the story."""
    from courses.cybercrime import plots

    zone = widgets.Dropdown(
        options=SYSLOG_ZONES,
        value="UTC",
        description="Assumed syslog time zone",
        style=explorers.WIDE_LABEL,
        layout=widgets.Layout(width="380px"),
    )
    plot = plots.timeline_figure(
        [(e["event_id"], e["source"], e["what"]) for e in key_events],
        *_time_range(key_events, syslog_first_year),
    )
    app = Explorer([zone], plot.fig, animated=[plot.dots, *plot.numbers.values(), plot.title])

    def utc_time(event: dict[str, str]) -> datetime:
        raw, source = event["raw_time"], event["source"]
        if source == "apache":
            return parse_apache_time(raw)
        if source == "syslog":
            return to_utc(_syslog_local(raw, syslog_first_year), zone.value)
        if source == "mail":
            return email.utils.parsedate_to_datetime(raw)
        return datetime.fromisoformat(raw)

    def answer() -> tuple[dict[str, datetime], list[str], str | None]:
        """The UTC time of each event and their order by YOUR functions, or what went wrong in plain words."""
        times: dict[str, datetime] = {}
        by_source: dict[str, list] = {}
        try:
            for event in key_events:
                when = times[event["event_id"]] = utc_time(event)
                if not isinstance(when, datetime):
                    name = "parse_apache_time" if event["source"] == "apache" else "to_utc"
                    raw, kind = event["raw_time"], type(when).__name__
                    return {}, [], f"Your function {name} returned {kind} for {raw!r}, not a datetime."
                by_source.setdefault(event["source"], []).append((event["event_id"], when))
            order = merge_timeline(list(by_source.values()))
        except Exception as error:  # noqa: BLE001 - the trainee's code may raise anything: show it
            return {}, [], error_text(error, raising_function(error))
        if not isinstance(order, (list, tuple)):
            return (
                {},
                [],
                f"Your function merge_timeline returned {type(order).__name__}, not a list of event ids.",
            )
        return times, [str(event_id) for event_id in order], None

    def update() -> None:
        times, order, error = answer()
        read_as = f"syslog read as {zone.value}"
        title = (
            f"No timeline ({read_as}): see the message above" if error else f"Incident timeline, {read_as}"
        )
        plots.show_timeline(plot, times, order, title)
        if error:
            return app.say(error, error=True)
        missing = [event_id for event_id in times if event_id not in order]
        note = f" Missing from it: {', '.join(missing)}." if missing else ""
        app.say("Order found by your merge_timeline: " + " -> ".join(order) + note, error=bool(missing))

    return app.wire(update)


def _looks_like_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address (only to decide whether ip_in_network is worth calling)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def explore_indicators(
    decode_command: Callable, ip_in_network: Callable, btc_address_type: Callable, watched_networks: list[str]
) -> Explorer:
    """One box for an indicator: YOUR functions decode it, check it against watched networks, type a wallet."""
    text = widgets.Text(
        description="Indicator",
        layout=widgets.Layout(width="95%"),
        value="Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjk5L3N0YWdlMi5zaCAtbyAvdG1wL3N0YWdlMi5zaA",
    )
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()
    app = Explorer([text, button, report])

    def line(name: str, words: str, tag: str = "span", grey: bool = False) -> tuple[str, str]:
        style = f" style='{GREY}'" if grey else ""
        return f"<p><b>{name}:</b> <{tag}{style}>{html.escape(words)}</{tag}></p>", f"{name}: {words}"

    def analyse(_button: object = None) -> None:
        value = text.value.strip()
        try:
            decoded = line("decode_command", repr(decode_command(value)), tag="code") + ("",)
        except ValueError as exc:  # the documented answer for text that is not an encoded command
            why = f"not an encoded command (your function raised ValueError: {exc})"
            decoded = line("decode_command", why, grey=True) + ("",)
        except Exception as exc:  # noqa: BLE001 - the trainee's code may raise anything: show it
            decoded = ("", "", error_text(exc, "decode_command"))
        if _looks_like_ip(value):
            watched = _answer(
                "ip_in_network",
                lambda: [cidr for cidr in watched_networks if ip_in_network(value, cidr)],
                (),
                lambda hits: line(
                    "ip_in_network", f"inside {', '.join(hits)}" if hits else "not inside any watched network"
                ),
            )
        else:
            watched = line(
                "ip_in_network", "not an IP address, so not checked against the watched networks", grey=True
            )
            watched += ("",)
        wallet = _answer(
            "btc_address_type", btc_address_type, (value,), lambda kind: line("btc_address_type", repr(kind))
        )
        _report(app, report, [decoded, watched, wallet])

    button.on_click(analyse)
    analyse()
    return app
