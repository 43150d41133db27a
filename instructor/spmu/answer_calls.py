"""Both ends of a test's call to a trainee's answer: a server in the trainee's kernel, proxies in the grader's.

The grader runs this file's text (after :mod:`spmu.crossing`'s, in the same namespace) in both kernels, so
it imports only the standard library:

* in the trainee's (sandboxed) kernel, :func:`make_answer_server` returns the function the trusted kernel calls
  through an ``execute_request`` with a user expression: it looks a name up in the notebook's namespace, or calls
  it with arguments decoded from data, and answers with the result as data (or the exception's nearest built-in
  type and message). The trainee can rewrite this server like any of their code; what it sends back is still
  only data, so it can forge no more than their own function could have returned.
* in the grader's trusted kernel (another sandbox), :func:`install_trusted` connects to the grader's relay
  (:mod:`spmu.answer_relay`), which passes each request on to the trainee's kernel, and returns
  ``bind(names)``, which binds each name to a proxy (a function) or to the value (decoded) before a test cell
  runs. Files a test writes in its temporary folder for a trainee's function travel with the call and are
  written at the same paths in the trainee's kernel.

Anything the trainee's code prints during such a call is published for a request nobody records: it never
reaches a notebook.
"""

from __future__ import annotations

import json

# built-in exception types a trainee's exception crosses as (the nearest one in its class's MRO); any other
# exception becomes AnswerError
CROSSING_EXCEPTIONS = (
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "EOFError",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "ImportError",
    "IndexError",
    "IsADirectoryError",
    "KeyError",
    "LookupError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "RecursionError",
    "RuntimeError",
    "StopIteration",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
    "Exception",
)
MAX_MESSAGE = 2000  # characters of an exception message that cross
MAX_FILES_BYTES = 16_000_000  # of the files a test wrote for one call's arguments


# ---------------------------------------------------------------- in the trainee's kernel
def make_answer_server(namespace: dict, user_ns: dict):
    """The function the trusted kernel calls (through a user expression) in the trainee's kernel."""
    encode, cannot_cross = namespace["encode"], namespace["CannotCross"]
    decode = namespace["decode"]

    class Reply:
        """Shown to the kernel's display formatter as JSON: the reply travels in the execute_reply."""

        __slots__ = ("text",)

        def __init__(self, outcome: dict):
            self.text = json.dumps(outcome)

        def _repr_json_(self):
            return {"reply": self.text}

        def __repr__(self):
            return "<reply>"

    def raised(error: BaseException) -> dict:
        kind = next(
            (
                k.__name__
                for k in type(error).__mro__
                if getattr(k, "__module__", "") == "builtins" and k.__name__ in CROSSING_EXCEPTIONS
            ),
            None,
        )
        try:
            message = str(error)
        except BaseException:  # noqa: BLE001 - a message that cannot even be shown
            message = ""
        if not isinstance(message, str):
            message = ""
        return {"raised": kind, "kind": type(error).__name__[:100], "message": message[:MAX_MESSAGE]}

    def value_outcome(value) -> dict:
        try:
            return {"value": encode(value)}
        except cannot_cross as error:
            return {"unreadable": str(error)}
        except BaseException as error:  # noqa: BLE001 - a value whose own methods fail
            return {"unreadable": f"a value that failed while being read ({type(error).__name__})"}

    def write_files(files: dict) -> None:
        import os

        for folder in files.get("dirs", []):
            os.makedirs(folder, exist_ok=True)
        for path, content in files.get("files", []):
            with open(path, "wb") as handle:
                handle.write(decode(content))

    def serve(request_text: str) -> Reply:
        request = json.loads(request_text)
        if request["op"] == "get":
            answers = {}
            for name in request["names"]:
                if name not in user_ns:
                    answers[name] = {"missing": True}
                elif callable(user_ns[name]):
                    answers[name] = {"callable": True}
                else:
                    answers[name] = value_outcome(user_ns[name])
            return Reply(answers)
        try:
            write_files(request.get("files") or {})
            args, kwargs = decode(request["args"])
            before = encode([args, kwargs])
        except BaseException as error:  # noqa: BLE001 - the grader's own request could not be used
            return Reply({"unreadable": f"a request it could not use ({type(error).__name__})"})
        try:
            outcome = value_outcome(user_ns[request["name"]](*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - whatever the answer raises crosses as data
            outcome = raised(error)
        try:  # the function changed its arguments: the test's own objects are changed the same way
            after = encode([args, kwargs])
            if after != before:
                outcome["changed"] = after
        except BaseException:  # noqa: BLE001, S110 - arguments that can no longer be read are not copied back
            pass
        return Reply(outcome)

    return serve


# ---------------------------------------------------------------- in the grader's trusted kernel
def install_trusted(namespace: dict, user_ns: dict, relay_path: str):
    """Connect to the grader's relay (see :mod:`spmu.answer_relay`) and return ``bind(names)`` for the test cells
    of this kernel."""
    import builtins
    import os
    import socket
    import struct
    import tempfile

    encode, decode, cannot_cross = namespace["encode"], namespace["decode"], namespace["CannotCross"]
    tempfile.tempdir = os.environ.get("TMPDIR") or tempfile.gettempdir()
    shared = os.path.realpath(tempfile.tempdir)

    class AnswerNotReadable(Exception):
        """What the trainee's code returned (or the way it answered) cannot be read by the grader."""

    class AnswerError(Exception):
        """The trainee's code raised an exception that is not one of Python's built-in ones."""

    class AnswerKernelStopped(Exception):
        """The trainee's kernel stopped during the call."""

    for kind in (AnswerNotReadable, AnswerError, AnswerKernelStopped):
        kind.__module__ = "grader"

    relay = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    relay.connect(relay_path)

    def receive(length: int) -> bytes:
        data = b""
        while len(data) < length:
            chunk = relay.recv(length - len(data))
            if not chunk:
                raise AnswerKernelStopped("the grader stopped this test")
            data += chunk
        return data

    def ask(request: dict) -> dict:
        data = json.dumps(request).encode("utf-8")
        relay.sendall(struct.pack(">I", len(data)) + data)
        relayed = json.loads(receive(struct.unpack(">I", receive(4))[0]).decode("utf-8"))
        if relayed.get("stopped"):
            raise AnswerKernelStopped("your code stopped the Python kernel during this test")
        if "reply" not in relayed:
            raise AnswerNotReadable(f"the grader could not reach your answer: {relayed.get('broken', '')}")
        try:
            outcome = json.loads(relayed["reply"])
            if not isinstance(outcome, dict):
                raise TypeError
        except (TypeError, ValueError):
            raise AnswerNotReadable("your kernel sent an answer the grader cannot read") from None
        return outcome

    def files_for(values) -> dict:
        """The files and folders a test wrote for these arguments (paths in this kernel's temporary folder):
        they are written at the same paths in the trainee's kernel before the call."""
        dirs, files, total = [], [], 0
        for value in values:
            if not isinstance(value, str | os.PathLike):
                continue
            path = os.path.realpath(os.fspath(value))
            if not path.startswith(shared + os.sep) or not os.path.exists(path):
                continue
            walk = (
                os.walk(path)
                if os.path.isdir(path)
                else [(os.path.dirname(path), [], [os.path.basename(path)])]
            )
            for folder, _, names in walk:
                dirs.append(folder)
                for name in names:
                    full = os.path.join(folder, name)
                    if os.path.isfile(full) and not os.path.islink(full) and total < MAX_FILES_BYTES:
                        with open(full, "rb") as handle:
                            content = handle.read(MAX_FILES_BYTES - total)
                        total += len(content)
                        files.append([full, encode(content)])
        return {"dirs": dirs, "files": files}

    def read(outcome: dict, what: str):
        if "value" in outcome:
            try:
                return decode(outcome["value"])
            except cannot_cross as error:
                raise AnswerNotReadable(f"{what} sent {error}, which the grader cannot read") from None
        if "unreadable" in outcome:
            verb = "returned" if what.startswith("your function") else "is"
            raise AnswerNotReadable(f"{what} {verb} {outcome['unreadable']}, which the grader cannot read")
        if "raised" in outcome:
            message = str(outcome.get("message", ""))[:MAX_MESSAGE]
            kind = outcome.get("raised")
            if kind in CROSSING_EXCEPTIONS and isinstance(getattr(builtins, kind, None), type):
                raise getattr(builtins, kind)(message)
            raise AnswerError(f"{what} raised {str(outcome.get('kind', 'an exception'))[:100]}: {message}")
        raise AnswerNotReadable(f"{what} gave an answer the grader cannot read")

    def copy_back(originals: list, changed: list) -> None:
        """Change the test's own arguments as the trainee's function changed its copies (lists, dicts, sets,
        bytearrays, numpy arrays of the same shape, DataFrames and Series with the same rows or fewer)."""
        for original, new in zip(originals, changed, strict=False):
            kind = type(original)
            try:
                if kind in (list, bytearray) and type(new) is kind:
                    original[:] = new
                elif kind in (dict, set) and type(new) is kind:
                    original.clear()
                    original.update(new)
                elif kind.__module__.startswith("numpy") and kind.__name__ == "ndarray":
                    if original.shape == new.shape:
                        original[...] = new
                elif kind.__module__.startswith("pandas") and kind.__name__ in ("DataFrame", "Series"):
                    dropped = [label for label in original.index if label not in set(new.index)]
                    if dropped:
                        original.drop(index=dropped, inplace=True)
                    if not original.index.equals(new.index):
                        continue
                    if kind.__name__ == "Series":
                        original[:] = new
                    else:
                        for column in [c for c in original.columns if c not in set(new.columns)]:
                            del original[column]
                        for column in new.columns:
                            original[column] = new[column]
                    original.attrs.clear()
                    original.attrs.update(new.attrs)
            except Exception:  # noqa: BLE001, S112 - a change that cannot be copied back is left out
                continue

    def proxy_for(name: str):
        def proxy(*args, **kwargs):
            try:
                payload = encode([list(args), kwargs])
            except cannot_cross as error:
                raise AnswerNotReadable(f"the test's arguments for {name} cannot be sent: {error}") from None
            request = {
                "op": "call",
                "name": name,
                "args": payload,
                "files": files_for([*args, *kwargs.values()]),
            }
            outcome = ask(request)
            if "changed" in outcome:
                try:
                    new_args, new_kwargs = decode(outcome["changed"])
                    copy_back([*args, *kwargs.values()], [*new_args, *[new_kwargs.get(k) for k in kwargs]])
                except (cannot_cross, TypeError, ValueError):
                    pass
            return read(outcome, f"your function {name}")

        proxy.__name__ = proxy.__qualname__ = name
        return proxy

    def bind(names: list[str]) -> None:
        if not names:
            return
        answers = ask({"op": "get", "names": list(names)})
        for name in names:
            outcome = answers.get(name) if isinstance(answers.get(name), dict) else {}
            if outcome.get("missing"):
                user_ns.pop(name, None)  # the test gets Python's own NameError
            elif outcome.get("callable"):
                user_ns[name] = proxy_for(name)
            else:
                user_ns[name] = read(outcome, f"your answer {name}")

    return bind
