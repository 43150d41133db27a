"""The grader's relay between its trusted kernel and a trainee's kernel, which live in separate sandboxes.

The trusted kernel's proxies send each request (a name to look up, or a call with its arguments as data) over a
Unix socket the grader listens on inside the trusted sandbox's folder; the relay passes it to the trainee's
kernel as an ``execute_request`` with one user expression (the answer server, see :mod:`spmu.answer_calls`),
and sends back only the reply's JSON text (size-capped), or a note that the trainee's kernel stopped. The
trainee's kernel never learns anything of the trusted kernel (not even its connection key), and the trusted
kernel never talks to the trainee's kernel directly. Output the trainee's code prints during a call is published
for a request nobody subscribes to: it is never read.

Frames on the socket: 4-byte big-endian length, then UTF-8 JSON.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import socket
import struct
import threading
from pathlib import Path

import zmq
from jupyter_client.session import Session

from spmu.crossing import MAX_TEXT

log = logging.getLogger(__name__)

MAX_FRAME = 4 * MAX_TEXT + 1_000_000  # a request may carry arguments and the files a test wrote for them
POLL_MS = 100


def send_frame(sock: socket.socket, text: str) -> None:
    data = text.encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_frame(sock: socket.socket) -> str | None:
    """One frame's text, or None when the other side closed the connection or sent an oversized frame."""
    header = _recv_exactly(sock, 4)
    if header is None:
        return None
    (length,) = struct.unpack(">I", header)
    if length > MAX_FRAME:
        return None
    data = _recv_exactly(sock, length)
    return None if data is None else data.decode("utf-8", errors="replace")


def _recv_exactly(sock: socket.socket, length: int) -> bytes | None:
    chunks, received = [], 0
    while received < length:
        chunk = sock.recv(min(length - received, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


class AnswerRelay(threading.Thread):
    """Listens at ``socket_path`` and relays each request to the answer server ``server`` in the trainee's
    kernel (``connection``: its connection info; ``answer_process``: its process, polled to notice its death)."""

    def __init__(self, socket_path: Path, connection: dict, server: str, answer_process):
        super().__init__(daemon=True)
        self.server, self.answer_process = server, answer_process
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(socket_path))
        os.chmod(socket_path, 0o600)
        self.listener.listen(1)
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.context = zmq.Context()
        self.context.setsockopt(zmq.LINGER, 0)
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)  # a huge reply is dropped, never buffered
        key = connection["key"]
        self.session = Session(
            key=key.encode() if isinstance(key, str) else key,
            signature_scheme=connection["signature_scheme"],
            username="grader",
        )
        self.address = f"{connection['transport']}://{connection['ip']}-{connection['shell_port']}"
        self.calls = 0
        self.peer: socket.socket | None = None

    def run(self) -> None:
        shell = self.context.socket(zmq.DEALER)
        shell.connect(self.address)
        try:
            while not self.stopped.is_set():
                try:
                    peer, _ = self.listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                self.peer = peer
                with peer:
                    self._serve(peer, shell)
        finally:
            shell.close(linger=0)

    def _serve(self, peer: socket.socket, shell) -> None:
        while not self.stopped.is_set():
            try:
                if not select.select([peer], [], [], 0.2)[0]:
                    continue
                request = recv_frame(peer)
            except OSError:
                return
            if request is None:
                return
            self.calls += 1
            try:
                send_frame(peer, json.dumps(self._ask(shell, request)))
            except OSError:
                return

    def _ask(self, shell, request: str) -> dict:
        """Pass one request to the answer server; {"reply": text} or {"stopped": True} or {"broken": reason}."""
        content = {
            "code": "",
            "silent": True,
            "store_history": False,
            "user_expressions": {"r": f"{self.server}({request!r})"},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        msg_id = self.session.send(shell, "execute_request", content)["header"]["msg_id"]
        while True:
            if self.stopped.is_set():
                return {"stopped": True}
            if shell.poll(POLL_MS):
                try:
                    _, parts = self.session.feed_identities(shell.recv_multipart())
                    reply = self.session.deserialize(parts)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
                except Exception as error:  # noqa: BLE001 - a message the trainee's kernel forged or broke
                    return {"broken": f"an unreadable message ({type(error).__name__})"}
            elif self.answer_process.poll() is not None:
                return {"stopped": True}
        try:
            text = reply["content"]["user_expressions"]["r"]["data"]["application/json"]["reply"]
        except (KeyError, TypeError, AttributeError):
            return {"broken": "the grader's helper in your kernel was changed or removed"}
        if not isinstance(text, str) or len(text) > 2 * MAX_TEXT:
            return {"broken": "an answer over the size limit"}
        return {"reply": text}

    def close(self) -> None:
        """Stop relaying (shutting the sockets down wakes the thread at once) and wait for the thread."""
        self.stopped.set()
        for sock in (self.peer, self.listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.listener.close()
        self.join(timeout=5)
        if not self.is_alive():
            self.context.term()
