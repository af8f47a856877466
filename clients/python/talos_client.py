"""A client for the Talos seed's pipeline API (/api/v1), Python 3 standard library only.

Answers are the API's JSON (dicts, camelCase keys as in docs/openapi.json); errors are typed from the seed's
RFC 7807 problem+json (``TalosError`` and its subclasses, with ``status``, ``title``, ``detail`` and ``field``).

    import json
    from talos_client import Client, NotFound

    talos = Client("http://127.0.0.1:8080", token)
    spec = json.load(open("examples/pipeline/shot.json"))  # a shot spec (docs/shot-spec.md) as a dict
    for key, png in zip(spec["characters"][0]["keyframeImages"], ["key-000.png", "key-010.png"]):
        key["asset"] = talos.upload_asset("examples/pipeline/" + png)["asset"]  # "sha256/HASH"
    shot = talos.submit_shot(dict(spec, id="drawn-01"))
    for event in talos.follow(shot["key"]):            # server-sent events until the shot is done
        print(event.data["status"], event.data["progress"])
    talos.download_video(shot["key"], "shot.mp4")
    try:
        talos.download_film("pipeline-example", ".")
    except NotFound as e:                              # one shot is not a production
        print(e.status, e.detail, e.field)
"""

from __future__ import annotations

import email.message
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, Union

__all__ = [
    "Client", "Event", "Download", "TalosError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
    "TooLarge", "UnsupportedMediaType", "RateLimited", "Unavailable", "Unreachable",
]

PREFIX = "/api/v1"
TERMINAL = ("completed", "failed", "cancelled")
KEY_SEPARATOR = "--"


class TalosError(Exception):
    """An error answer of the seed (problem+json): ``status``, ``title``, ``detail``, ``field`` (the request part at
    fault: a JSON path such as ``$.characters[0].keyframeImages[1].asset``, a header, a parameter) and ``problem``
    (the whole problem document, e.g. its ``errors`` list or a syntax error's ``line``)."""

    def __init__(self, status: Optional[int], title: Optional[str], detail: str, field: Optional[str] = None,
                 problem: Optional[Dict[str, Any]] = None):
        super().__init__(f"{status or 'no answer'} {title or ''}: {detail}" + (f" ({field})" if field else ""))
        self.status, self.title, self.detail, self.field = status, title, detail, field
        self.problem = problem or {}


class BadRequest(TalosError):
    """400: a malformed request or an invalid spec; ``field`` names the first fault."""


class Unauthorized(TalosError):
    """401: no bearer token, or one the seed does not know."""


class Forbidden(TalosError):
    """403: the token's scope does not cover the route (a pipeline token on an operator verb)."""


class NotFound(TalosError):
    """404: no such shot, production, asset or member (or no such route on this seed)."""


class Conflict(TalosError):
    """409: the resource is not in a state for this (a video of an unfinished shot, a retry of a completed one)."""


class TooLarge(TalosError):
    """413: the body is over the seed's limit (TALOS_API_MAX_JSON_BYTES, TALOS_API_MAX_ASSET_BYTES)."""


class UnsupportedMediaType(TalosError):
    """415: an asset that is not a PNG, WAV, palette JSON or ONNX model."""


class RateLimited(TalosError):
    """429: over TALOS_API_RATE_LIMIT requests per minute; ``retry_after`` is the seed's Retry-After in seconds."""

    retry_after: Optional[float] = None


class Unavailable(TalosError):
    """503: the cluster is not ready to answer (Hephaestus not reachable yet)."""


class Unreachable(TalosError):
    """No answer at all: the seed is not listening at the URL, the name does not resolve, or the connection timed out."""


ERRORS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 413: TooLarge,
          415: UnsupportedMediaType, 429: RateLimited, 503: Unavailable}


@dataclass
class Event:
    """One server-sent event: ``event`` (its type, "shot" for shot progress; "production" for the final state
    ``follow`` adds for a production), ``data`` (parsed JSON: the shot or production as GET shows it) and ``id``."""

    event: str
    data: Any
    id: Optional[str] = None


@dataclass
class Download:
    """A file written by a download: where, its media type, and its size in bytes."""

    path: str
    content_type: str
    bytes: int


@dataclass
class Client:
    """The seed's API at ``url`` (e.g. http://127.0.0.1:8080) with a bearer ``token`` (scope pipeline or operator).
    ``timeout`` bounds each request in seconds (connect and each read); ``follow`` has its own."""

    url: str
    token: str
    timeout: float = 60.0
    _base: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._base = self.url.rstrip("/") + PREFIX

    # -- transport ------------------------------------------------------------------------------------------------

    def _open(self, method: str, path: str, body: Optional[bytes] = None, content_type: Optional[str] = None,
              query: Optional[Dict[str, Any]] = None, accept: str = "application/json", timeout: Optional[float] = -1.0):
        """Sends a request; the open response, or the typed error of a non-2xx answer (or of no answer)."""
        url = self._base + path
        q = {k: v for k, v in (query or {}).items() if v is not None}
        if q:
            url += "?" + urllib.parse.urlencode(q)
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Authorization": f"Bearer {self.token}", "Accept": accept})
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout if timeout == -1.0 else timeout)
        except urllib.error.HTTPError as e:
            with e:
                raise _problem(e.code, e.headers, e.read()) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
            reason = getattr(e, "reason", e)
            raise Unreachable(None, None, f"no answer from {self.url}: {reason}") from e

    def _json(self, method: str, path: str, payload: Any = None, query: Optional[Dict[str, Any]] = None) -> Any:
        body = None if payload is None else (payload if isinstance(payload, (bytes, str)) else json.dumps(payload))
        if isinstance(body, str):
            body = body.encode("utf-8")
        with self._open(method, path, body, "application/json" if body is not None else None, query) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def _download(self, path: str, target: str, default_name: str, query: Optional[Dict[str, Any]] = None) -> Download:
        """Streams a GET to ``target``: a file, or a directory (then named by Content-Disposition, else ``default_name``)."""
        with self._open("GET", path, query=query, accept="*/*") as r:
            content_type = (r.headers.get_content_type() or "application/octet-stream")
            if os.path.isdir(target):
                target = os.path.join(target, _filename(r.headers.get("Content-Disposition")) or default_name)
            size = _copy(r, target)
        return Download(target, content_type, size)

    # -- assets, submission -----------------------------------------------------------------------------------

    def upload_asset(self, path_or_bytes: Union[str, os.PathLike, bytes], name: Optional[str] = None) -> Dict[str, Any]:
        """Uploads a PNG keyframe, WAV, palette JSON or ONNX model (a file path or the bytes); ``name`` also names it in
        the vault (``drawings/mara-036.png``). Answers ``{hash, kind, bytes, asset: "sha256/HASH", name}``; a spec names
        the asset as ``asset``. 415 (UnsupportedMediaType) for anything else, 413 (TooLarge) over the limit."""
        if isinstance(path_or_bytes, bytes):
            data = path_or_bytes
        else:
            with open(path_or_bytes, "rb") as f:
                data = f.read()
        with self._open("POST", "/assets", data, "application/octet-stream", {"name": name}) as r:
            return json.loads(r.read())

    def submit_shot(self, spec: Union[Dict[str, Any], str, bytes], palette: Optional[str] = None) -> Dict[str, Any]:
        """Submits one shot spec (a dict, or its JSON text; docs/shot-spec.md); ``palette`` names an uploaded palette
        asset (its hash or name), whose entries the spec's own override. Answers ``{key, production, href}``; submitting
        the same production and id again answers the same shot: unchanged with the same spec, and with an edited spec
        as its next spec revision (``revision`` in the shot), which renders again. A bad spec is a BadRequest whose ``field`` is the JSON
        path of its first fault (``problem["errors"]`` lists all)."""
        return self._json("POST", "/shots", spec, {"palette": palette})

    def submit_production(self, production: Optional[str] = None, *, fountain: Optional[str] = None,
                          prompt: Optional[str] = None, shots: Optional[List[Dict[str, Any]]] = None,
                          **options: Any) -> Dict[str, Any]:
        """Submits a production from exactly one of ``fountain`` (screenplay text), ``prompt`` (plain words) or
        ``shots`` (specs); the production is named ``production`` or after its content. ``options``, in snake_case or
        as the API spells them: width, height, fps, scenes ("A-B"), max_seconds, audio_asset, audio_offset_seconds,
        transition_frames. Answers ``{production, shotKeys, href}``; the shots are edited into one film when done."""
        body: Dict[str, Any] = {"production": production, "fountain": fountain, "prompt": prompt, "shots": shots}
        body.update({_camel(k): v for k, v in options.items()})
        return self._json("POST", "/productions", {k: v for k, v in body.items() if v is not None})

    # -- reading ----------------------------------------------------------------------------------------------

    def shots(self, production: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every shot (or those of ``production``) with status, ``progress`` (0..1) and per-stage progress."""
        return self._json("GET", "/shots", query={"production": production})["shots"]

    def shot(self, key: str) -> Dict[str, Any]:
        """One shot by key (``production--id``): status, reason, progress, stages, hashes, ``videoHref`` once done."""
        return self._json("GET", "/shots/" + _seg(key))

    def history(self, key: str) -> List[Dict[str, Any]]:
        """The shot's journalled events, oldest first: admission, chunks, stages, pause/resume, outcome, and operator
        actions with who and when. NotFound when the journal has nothing for the key."""
        return self._json("GET", f"/shots/{_seg(key)}/history")["events"]

    def production(self, production: str) -> Dict[str, Any]:
        """A production: status (rendering, editing, completed, failed, cancelled), its shots, ``delivery`` and film."""
        return self._json("GET", "/productions/" + _seg(production))

    def follow(self, key_or_production: str, timeout: Optional[float] = None, poll: float = 1.0) -> Iterator[Event]:
        """Server-sent events as a generator of :class:`Event` (``event: shot``, ``data``: the shot), ending when the
        shot or production is finished (completed, failed or cancelled). A key (``production--id``) follows one shot;
        anything else a production: its shots' events, then, once they are rendered, the production polled every
        ``poll`` seconds while it is edited, and a last ``production`` event with its final state. ``timeout`` bounds
        each wait for the next line (None: wait as long as it takes)."""
        if KEY_SEPARATOR in key_or_production:
            yield from self._events(f"/shots/{_seg(key_or_production)}/events", None, timeout)
            return
        production = key_or_production
        view = self.production(production)  # NotFound before any stream is opened
        if view["status"] not in TERMINAL and view["status"] != "editing":
            open_shots = {s["key"] for s in view["shots"] if s["status"] not in TERMINAL}
            for event in self._events("/events", {"production": production}, timeout):
                yield event
                if isinstance(event.data, dict) and event.data.get("status") in TERMINAL:
                    open_shots.discard(event.data.get("key"))
                    if event.data["status"] != "completed" or not open_shots:
                        break
            view = self.production(production)
        while view["status"] not in TERMINAL:
            time.sleep(poll)
            view = self.production(production)
        yield Event("production", view)

    def _events(self, path: str, query: Optional[Dict[str, Any]], timeout: Optional[float]) -> Iterator[Event]:
        with self._open("GET", path, query=query, accept="text/event-stream", timeout=timeout) as r:
            kind, data, last_id = "message", [], None
            for raw in _lines(r, self.url):
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        text = "\n".join(data)
                        try:
                            parsed = json.loads(text)
                        except ValueError:
                            parsed = text
                        yield Event(kind, parsed, last_id)
                    kind, data = "message", []
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    kind = value
                elif name == "data":
                    data.append(value)
                elif name == "id":
                    last_id = value

    # -- downloads ----------------------------------------------------------------------------------------------

    def download_video(self, key: str, path: str) -> Download:
        """The shot's H.264 MP4 to ``path`` (a file, or a directory: then ``ID.mp4``). Conflict until it is completed."""
        return self._download(f"/shots/{_seg(key)}/video", path, key.split(KEY_SEPARATOR, 1)[-1] + ".mp4")

    def download_film(self, production: str, path: str) -> Download:
        """The production's edited film by its delivery: MP4 (sdr, hdr10), MOV (prores) or a zip of 16-bit PNGs (png16).
        ``path`` is a file, or a directory: then the seed's name (``PRODUCTION.mp4|.mov|.zip``, Content-Disposition).
        ``Download.content_type`` says which. Conflict until the production is edited."""
        return self._download(f"/productions/{_seg(production)}/film", path, production + ".mp4")

    def export_timeline(self, production: str, path: str, format: str = "otio", rate: Optional[str] = None) -> Download:
        """The production's cut as a hand-off timeline for an editing suite, its media at the shots' video URLs:
        ``format`` "otio" (OpenTimelineIO JSON) or "edl" (CMX 3600); ``rate`` the timecode rate (23.976, 24, 25, 29.97
        (drop-frame in an EDL) or 30, as far as it fits the shots' fps; default theirs). ``path`` is a file, or a directory: then
        ``PRODUCTION.otio|.edl``. NotFound for an unknown production, BadRequest (field "rate") for a rate that does not fit."""
        if format not in ("otio", "edl"):
            raise ValueError(f"format must be 'otio' or 'edl', not {format!r}")
        return self._download(f"/productions/{_seg(production)}/timeline.{format}", path, f"{production}.{format}",
                              {"rate": rate})

    # -- operator verbs (a token of scope operator) ----------------------------------------------------------------

    def _verb(self, key: str, action: str, payload: Any = None) -> Dict[str, Any]:
        return self._json("POST", f"/shots/{_seg(key)}/{action}", payload if payload is not None else b"")

    def retry(self, key: str) -> Dict[str, Any]:
        """Retries a failed or cancelled shot from its recorded chunks. Answers ``{key, action, acknowledged, message}``
        (acknowledged false: sent, Hephaestus did not confirm in time); Conflict for a shot that cannot be retried."""
        return self._verb(key, "retry")

    def cancel(self, key: str) -> Dict[str, Any]:
        """Cancels a shot (journalled with the token's name). Conflict when it is already finished."""
        return self._verb(key, "cancel")

    def pause(self, key: str) -> Dict[str, Any]:
        """Pauses a rendering shot: in-flight chunks are cancelled, recorded ones kept. Conflict unless it renders."""
        return self._verb(key, "pause")

    def resume(self, key: str) -> Dict[str, Any]:
        """Resumes a paused shot from its recorded chunks. Conflict unless it is paused."""
        return self._verb(key, "resume")

    def priority(self, key: str, priority: int) -> Dict[str, Any]:
        """Sets a shot's scheduling priority, -1000..1000, higher admitted first (BadRequest outside)."""
        return self._verb(key, "priority", {"priority": priority})

    def queue(self) -> List[Dict[str, Any]]:
        """Unfinished shots in Hephaestus's order (rendering or paused first, then waiting): position, key, status,
        progress."""
        return self._json("GET", "/queue")["shots"]

    def cluster(self) -> Dict[str, Any]:
        """``talos cluster show``: the members with address, roles, status, reachability and load, and the leader."""
        return self._json("GET", "/cluster")

    def drain(self, address: str, timeout_seconds: int = 120) -> Dict[str, Any]:
        """``talos node drain``: the member (``akka.tcp://talos@host:port`` or ``host:port``) leaves; answers once it
        is removed (its shards handed off, its process exited). NotFound for an unknown member; Conflict for the seed
        itself."""
        return self._json("POST", "/nodes/drain", {"address": address, "timeoutSeconds": timeout_seconds})


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _filename(disposition: Optional[str]) -> Optional[str]:
    """The file name a Content-Disposition gives (filename* included), without any directory part."""
    if not disposition:
        return None
    m = email.message.Message()
    m["Content-Disposition"] = disposition
    name = m.get_filename()
    name = os.path.basename(name) if name else None
    return name if name and name not in (".", "..") else None


def _lines(response: BinaryIO, url: str) -> Iterator[bytes]:
    """The stream's lines; a read that times out or a dropped connection is Unreachable."""
    try:
        yield from response
    except OSError as e:
        raise Unreachable(None, None, f"the event stream from {url} broke off: {e}") from e


def _copy(source: BinaryIO, target: str) -> int:
    size = 0
    with open(target, "wb") as f:
        while chunk := source.read(1 << 16):
            f.write(chunk)
            size += len(chunk)
    return size


def _problem(status: int, headers: Any, body: bytes) -> TalosError:
    """The typed error of an answer: problem+json read for title, detail and field; any other body as the detail."""
    problem: Dict[str, Any] = {}
    try:
        parsed = json.loads(body) if body else {}
        problem = parsed if isinstance(parsed, dict) else {}
    except ValueError:
        pass
    detail = problem.get("detail") or body.decode("utf-8", "replace").strip() or f"HTTP {status}"
    error = ERRORS.get(status, TalosError)(status, problem.get("title"), detail, problem.get("field"), problem)
    if isinstance(error, RateLimited):
        retry = headers.get("Retry-After") if headers is not None else None
        try:
            error.retry_after = float(retry) if retry else None
        except ValueError:
            error.retry_after = None
    return error
