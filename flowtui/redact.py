"""One redaction for every error text from every AWS service: no credential is ever shown.

An endpoint, a proxy or a misbehaving service can echo the request's headers into an error
message or a query's ``StateChangeReason``; whatever prints that text (S3 errors, Athena
errors, a CLI line on stderr, a status bar) calls ``redact`` first. Three nets:

- the exact values this process sent: every client made by flowtui reports the access key id
  and session token of each signed request (``watch``), and the environment's credential
  variables are known from the start, short test tokens included;
- the shapes of credentials (AKIA… key ids, ``X-Amz-Security-Token``, ``Signature=``, a long
  base64 run such as a session token);
- header echoes (``X-Amz-Security-Token: …``, ``Authorization: …``).
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.client import BaseClient

HIDDEN = "<hidden>"
#: Shorter known values are not replaced: they would mask ordinary words. A credential is
#: never this short; a test token ("testing") is longer.
MIN_SECRET = 4

_PATTERNS = [
    (re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"), "<access-key>"),
    (re.compile(r"(?i)(X-Amz-(?:Credential|Signature|Security-Token)=)[^&\s\"']+"),
     r"\1" + HIDDEN),
    (re.compile(r"(?i)((?:x-amz-security-token|authorization|x-amz-credential|"
                r"x-amz-signature)[\"']?\s*[:=]\s*[\"']?)[^\"'\n]*"), r"\1" + HIDDEN),
    (re.compile(r"(?i)(Signature=|Credential=)[^,\s\"']+"), r"\1" + HIDDEN),
    (re.compile(r"(?i)\b(aws_secret_access_key|aws_session_token|aws_access_key_id|secret|"
                r"token)(\s*=\s*)\S+"), r"\1\2" + HIDDEN),
    # Session tokens are hundreds of base64 characters; keys and names never look like that.
    (re.compile(r"[A-Za-z0-9/+=]{100,}"), HIDDEN),
]
#: Environment variables whose values must never be shown, whatever the text around them.
SECRET_VARS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
               "AWS_ACCESS_KEY_ID")

_lock = threading.Lock()
_sent: set[str] = set()  # values seen in signed requests of this process
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def _known() -> list[str]:
    values = {os.environ.get(var) or "" for var in SECRET_VARS}
    with _lock:
        values |= _sent
    # Longest first, so a value that holds another is hidden whole.
    return sorted((v for v in values if len(v) >= MIN_SECRET), key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every credential it may hold replaced."""
    for value in _known():
        text = text.replace(value, HIDDEN)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def remember(*values: str | None) -> None:
    """Values to hide from now on (credentials a request carried)."""
    with _lock:
        _sent.update(v for v in values if v and len(v) >= MIN_SECRET)


def _note_request(request: Any = None, **_: Any) -> None:
    headers = getattr(request, "headers", None)
    if headers is None:
        return
    token = headers.get("X-Amz-Security-Token")
    auth = headers.get("Authorization")
    key_id = None
    if auth:
        auth = auth.decode() if isinstance(auth, bytes) else str(auth)
        found = _CREDENTIAL.search(auth)
        key_id = found.group(1) if found else None
    if isinstance(token, bytes):
        token = token.decode()
    remember(token, key_id)


def watch(client: BaseClient) -> None:
    """Learn the credentials each signed request of ``client`` carries, so that an error
    echoing them is redacted even when they came from a profile or SSO, not the environment."""
    client.meta.events.register("before-send", _note_request)


__all__ = ["HIDDEN", "SECRET_VARS", "redact", "remember", "watch"]
