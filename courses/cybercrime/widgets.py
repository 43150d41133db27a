"""Interactive explorers for the cybercrime notebooks.

Each ``explore_*`` function takes the trainee's OWN graded functions, wires ipywidgets controls to them and
returns the widget. If a trainee's function raises, the widget shows the error message instead of crashing.
"""
from __future__ import annotations

import email.utils
import html
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from courses.explorers import WIDE_LABEL, error_text, slider

if TYPE_CHECKING:  # only the notebook that has the auth events needs pandas; importing it costs ~0.4 s
    import pandas as pd

# matplotlib is imported by the two explorers that draw (courses.cybercrime.plots): importing it costs about half
# a second, which the notebooks without plots should not pay.

# Length in bytes of the signature of each type, only to highlight those bytes in the hex viewer.
SIGNATURE_LENGTH = {"pdf": 5, "png": 8, "jpeg": 3, "gif": 6, "zip": 4, "exe": 2, "elf": 4}
SYSLOG_ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _error(exc: Exception, name: str) -> str:
    """What the trainee's function ``name`` raised, as a red paragraph."""
    return f"<p style='color:#b00020'><b>{html.escape(error_text(exc, name))}</b></p>"



def explore_brute_force(events: pd.DataFrame, brute_force_suspects: Callable, compromised_ips: Callable) -> widgets.VBox:
    """Sliders for fail2ban's maxretry and findtime that re-run YOUR functions and redraw the flagged IPs."""
    from courses.blitting import PngCache, show_png
    from courses.cybercrime.plots import FailedLoginsFigure

    retry = slider("max_retry (failures)", 5, 2, 20, continuous_update=False)
    window = slider("find_time_s (seconds)", 600, 60, 7200, 60, continuous_update=False)
    status = widgets.HTML()
    plot = widgets.Output()
    figure = FailedLoginsFigure(events, fewest_flagged=retry.min)  # built once: a slider re-colours its rows
    pngs = PngCache()  # by what YOUR functions returned: many slider positions flag the same addresses

    def refresh(_change=None) -> None:
        try:
            flagged = set(brute_force_suspects(events, retry.value, window.value))
        except Exception as exc:  # a trainee's bug must show, not crash the widget
            status.value = _error(exc, "brute_force_suspects")
            return
        try:
            compromised = set(compromised_ips(events, retry.value, window.value))
        except Exception as exc:
            status.value = _error(exc, "compromised_ips")
            compromised = set()
        status.value = (f"<b>{len(flagged)} flagged:</b> {html.escape(', '.join(sorted(flagged)) or 'none')}<br>"
                        f"<b>{len(compromised)} compromised:</b> "
                        f"{html.escape(', '.join(sorted(compromised)) or 'none')}")
        key = (frozenset(flagged), frozenset(compromised))
        show_png(plot, pngs.get(key) or pngs.put(key, figure.png(flagged, compromised)))

    retry.observe(refresh, names="value")
    window.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([retry, window]), status, plot])


def explore_headers(messages: dict[str, str], trusted_mx: set[str], received_hops: Callable,
                    originating_ip: Callable, auth_results: Callable, reply_to_mismatch: Callable) -> widgets.VBox:
    """Pick a case e-mail or paste headers, press Analyse, and see YOUR functions' hops and badges."""
    choice = widgets.Dropdown(options=list(messages), description="E-mail")
    text = widgets.Textarea(value=next(iter(messages.values()), ""), description="Headers",
                            layout=widgets.Layout(width="95%", height="160px"))
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()

    def badge(name: str, result: str) -> str:
        colour = {"pass": "#1b7f3b", "fail": "#b00020", "softfail": "#c77700"}.get(result, "#666")
        return (f"<span style='background:{colour};color:white;padding:2px 6px;border-radius:4px;margin-right:6px'>"
                f"{name.upper()}: {html.escape(str(result))}</span>")

    def analyse(_button=None) -> None:
        raw, parts = text.value, []
        try:
            hops = received_hops(raw)
            rows = "".join(
                f"<tr><td>{n + 1}</td><td>{html.escape(str(h.get('from_host')))}</td>"
                f"<td>{html.escape(str(h.get('from_ip')))}</td><td>{html.escape(str(h.get('by_host')))}</td>"
                f"<td>{html.escape(str(h.get('time_utc')))}</td></tr>" for n, h in enumerate(hops))
            parts.append("<table><tr><th>hop</th><th>from</th><th>IP</th><th>by</th><th>time (UTC)</th></tr>"
                         f"{rows}</table>")
        except Exception as exc:
            parts.append(_error(exc, "received_hops"))
        try:
            parts.append(f"<p><b>Originating IP:</b> {html.escape(str(originating_ip(raw, trusted_mx)))}</p>")
        except Exception as exc:
            parts.append(_error(exc, "originating_ip"))
        try:
            results = auth_results(raw, trusted_mx)
            parts.append("<p>" + "".join(badge(k, results.get(k, "?")) for k in ("spf", "dkim", "dmarc")) + "</p>")
        except Exception as exc:
            parts.append(_error(exc, "auth_results"))
        try:
            answer = "yes" if reply_to_mismatch(raw) else "no"
            parts.append(f"<p><b>Reply-To on another domain:</b> {answer}</p>")
        except Exception as exc:
            parts.append(_error(exc, "reply_to_mismatch"))
        report.value = "".join(parts)
        analysed[0] = raw

    def pick(change) -> None:
        text.value = messages[change["new"]]
        analyse()

    def edited(change) -> None:
        # Results of other headers must not stay on screen: ask for a new analysis instead.
        if change["new"] != analysed[0]:
            report.value = "<p style='color:#666'><i>The headers changed: press Analyse to see the new results.</i></p>"

    analysed = [None]
    choice.observe(pick, names="value")
    text.observe(edited, names="value")
    button.on_click(analyse)
    analyse()
    return widgets.VBox([choice, text, button, report])


def hex_view(data: bytes, highlight: int, width: int = 16, rows: int = 4) -> str:
    """HTML hex dump of the first bytes, with the first ``highlight`` bytes marked in yellow."""
    lines = []
    for start in range(0, min(len(data), width * rows), width):
        chunk = data[start:start + width]
        cells = [f"<span style='background:#ffe066'>{b:02X}</span>" if start + i < highlight else f"{b:02X}"
                 for i, b in enumerate(chunk)]
        text = "".join(html.escape(chr(b)) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08X}  {' '.join(cells)}  {text}")
    return "<pre>" + ("\n".join(lines) or "(empty file: 0 bytes)") + "</pre>"


def explore_signatures(folder: Path, identify_signature: Callable, expected_type: dict[str, str]) -> widgets.VBox:
    """Hex viewer of each file's first bytes, with the signature YOUR function recognised highlighted."""
    names = sorted(p.name for p in Path(folder).iterdir() if p.is_file())
    choice = widgets.Dropdown(options=names, description="File")
    view = widgets.HTML()

    def show(_change=None) -> None:
        data = (Path(folder) / choice.value).read_bytes()[:64]
        expected = expected_type.get(Path(choice.value).suffix.lower(), "(extension not in the table)")
        try:
            found = identify_signature(data)
        except Exception as exc:
            view.value = _error(exc, "identify_signature") + hex_view(data, 0)
            return
        verdict = "consistent" if found == expected or expected.startswith("(") else "MISMATCH"
        view.value = (f"<p>Extension expects <b>{html.escape(expected)}</b>; your function says "
                      f"<b>{html.escape(str(found))}</b>: <b>{verdict}</b></p>"
                      + hex_view(data, SIGNATURE_LENGTH.get(found, 0)))

    choice.observe(show, names="value")
    show()
    return widgets.VBox([choice, view])


def explore_hash_compare(normalise_hash: Callable) -> widgets.VBox:
    """Two boxes for hash values written differently: YOUR normalise_hash decides whether they are the same."""
    first = widgets.Text(description="Hash A", layout=widgets.Layout(width="95%"),
                         value="0x" + "AB" * 32)
    second = widgets.Text(description="Hash B", layout=widgets.Layout(width="95%"),
                          value=":".join(["ab"] * 32))
    verdict = widgets.HTML()

    def compare(_change=None) -> None:
        try:
            a, b = normalise_hash(first.value), normalise_hash(second.value)
        except Exception as exc:
            verdict.value = _error(exc, "normalise_hash")
            return
        same = "<b style='color:#1b7f3b'>the same hash</b>" if a == b else "<b style='color:#b00020'>different</b>"
        verdict.value = f"<pre>A -> {html.escape(a)}\nB -> {html.escape(b)}</pre>{same}"

    first.observe(compare, names="value")
    second.observe(compare, names="value")
    compare()
    return widgets.VBox([first, second, verdict])


def _syslog_local(raw: str, first_year: int) -> datetime:
    """Naive local time of a syslog stamp; the log runs from December of ``first_year`` into January."""
    month = MONTHS.index(raw[:3]) + 1
    year = first_year if month == 12 else first_year + 1
    return datetime.strptime(f"{year} {month} {raw[4:].strip()}", "%Y %m %d %H:%M:%S")


def explore_timeline(key_events: list[dict[str, str]], parse_apache_time: Callable, to_utc: Callable,
                     merge_timeline: Callable, syslog_first_year: int = 2024) -> widgets.VBox:
    """Choose the time zone ASSUMED for the syslog lines and watch YOUR merge_timeline reorder the story."""
    from courses.blitting import show_png
    from courses.cybercrime.plots import TimelineFigure

    # isort: split
    import matplotlib.dates as mdates  # after the course modules: see courses/fast_matplotlib.py

    zone = widgets.Dropdown(options=SYSLOG_ZONES, value="UTC", description="Assumed syslog time zone",
                            style=WIDE_LABEL, layout=widgets.Layout(width="380px"))
    status = widgets.HTML()
    plot = widgets.Output()
    figure: list[TimelineFigure] = []  # built at the first draw, then only its events move

    def new_figure(info: dict[str, tuple]) -> TimelineFigure:
        """The figure, its x axis covering where the events can fall whatever zone is assumed for syslog."""
        times = [float(mdates.date2num(when)) for when, source, _ in info.values() if source != "syslog"]
        for event in key_events:
            if event["source"] == "syslog":
                local = _syslog_local(event["raw_time"], syslog_first_year).replace(tzinfo=UTC)
                # The same clock time is 14 h earlier at UTC+14 and 12 h later at UTC-12 (all zones lie between)
                times += [float(mdates.date2num(local - timedelta(hours=14))),
                          float(mdates.date2num(local + timedelta(hours=12)))]
        return TimelineFigure([(e, source, what) for e, (_, source, what) in info.items()],
                              min(times, default=0.0), max(times, default=1.0), [title(z) for z in SYSLOG_ZONES])

    def title(assumed_zone: str) -> str:
        return f"Incident timeline, syslog read as {assumed_zone}"

    def redraw(_change=None) -> None:
        by_source: dict[str, list] = {}
        info: dict[str, tuple] = {}
        try:
            for event in key_events:
                raw, source = event["raw_time"], event["source"]
                if source == "apache":
                    when = parse_apache_time(raw)
                elif source == "syslog":
                    when = to_utc(_syslog_local(raw, syslog_first_year), zone.value)
                elif source == "mail":
                    when = email.utils.parsedate_to_datetime(raw)
                else:
                    when = datetime.fromisoformat(raw)
                by_source.setdefault(source, []).append((event["event_id"], when))
                info[event["event_id"]] = (when, source, event["what"])
            order = merge_timeline(list(by_source.values()))
        except Exception as exc:
            status.value = _error(exc, "parse_apache_time / to_utc / merge_timeline")
            return
        status.value = "<b>Order found by your merge_timeline:</b> " + html.escape(" -> ".join(order))
        rows = [(e, info[e][0], info[e][1], info[e][2]) for e in order if e in info]
        if not figure:
            figure.append(new_figure(info))
        show_png(plot, figure[0].png(rows, title(zone.value)))

    zone.observe(redraw, names="value")
    redraw()
    return widgets.VBox([zone, status, plot])


def _looks_like_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address (only to decide whether ip_in_network is worth calling)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def explore_indicators(decode_command: Callable, ip_in_network: Callable, btc_address_type: Callable,
                       watched_networks: list[str]) -> widgets.VBox:
    """One box for an indicator: YOUR functions decode it, check it against watched networks, type a wallet."""
    text = widgets.Text(description="Indicator", layout=widgets.Layout(width="95%"),
                        value="Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjk5L3N0YWdlMi5zaCAtbyAvdG1wL3N0YWdlMi5zaA")
    button = widgets.Button(description="Analyse", button_style="primary")
    report = widgets.HTML()

    def analyse(_button=None) -> None:
        value, parts = text.value.strip(), []
        try:
            parts.append(f"<p><b>decode_command:</b> <code>{html.escape(repr(decode_command(value)))}</code></p>")
        except ValueError as exc:  # the documented answer for text that is not an encoded command
            parts.append(f"<p><b>decode_command:</b> <span style='color:#666'>not an encoded command (your "
                         f"function raised ValueError: {html.escape(str(exc))})</span></p>")
        except Exception as exc:
            parts.append(_error(exc, "decode_command"))
        if not _looks_like_ip(value):
            parts.append("<p><b>ip_in_network:</b> <span style='color:#666'>not an IP address, so not checked "
                         "against the watched networks</span></p>")
        else:
            try:
                hits = [cidr for cidr in watched_networks if ip_in_network(value, cidr)]
                where = f"inside {', '.join(hits)}" if hits else "not inside any watched network"
                parts.append(f"<p><b>ip_in_network:</b> {html.escape(where)}</p>")
            except Exception as exc:
                parts.append(_error(exc, "ip_in_network"))
        try:
            parts.append(f"<p><b>btc_address_type:</b> {html.escape(repr(btc_address_type(value)))}</p>")
        except Exception as exc:
            parts.append(_error(exc, "btc_address_type"))
        report.value = "".join(parts)

    button.on_click(analyse)
    analyse()
    return widgets.VBox([text, button, report])
