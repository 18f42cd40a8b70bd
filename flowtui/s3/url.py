"""An S3 location as a value: ``S3Url(bucket, key)``, parsed and formatted here and only here.

flowtui names S3 places the way the AWS CLI does, ``s3://bucket/key``: the key is the rest of
the text after the first "/" following the bucket, taken verbatim (spaces, unicode, "+", "%"
and a leading "/" are part of the key; nothing is percent-decoded). A key that is empty or ends
in "/" is a prefix (a folder); any other key may be an object or a prefix, which only S3 can
tell. The text form of an ``S3Url`` is the one every message shows, so the strings a user sees
stay one spelling: ``s3://bucket/`` for a bucket's root, ``s3://bucket/a/b.log.gz`` for an object.

No boto3 here: the CLI and the app parse a URL before anything imports the S3 client.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

#: The scheme every S3 location starts with (lower case only, as the AWS CLI takes it).
SCHEME = "s3://"

#: The characters a bucket name has ever been allowed to hold: today's rules allow lower case
#: letters, digits, "." and "-"; buckets made in us-east-1 before March 2018 may also hold
#: upper case letters and "_" (up to 255 characters). Anything else cannot be a bucket.
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")


class S3UrlError(ValueError):
    """Why a text is not an S3 location: one line, naming the text and the expected form."""


def is_bucket_name(name: str) -> bool:
    """Whether ``name`` can be a bucket's name, old rules included (the CLI and the browser's
    path prompt ask this one question, so a bucket one takes the other takes too)."""
    return _BUCKET.fullmatch(name) is not None


def is_s3_url(text: str) -> bool:
    """Whether ``text`` is meant as an S3 location (starts with ``s3://``), valid or not."""
    return text.startswith(SCHEME)


def looks_like_s3_url(text: str) -> bool:
    """Whether ``text`` was probably meant as an S3 location, even misspelt (``s3:/x``,
    ``S3://x``): such a text gets a parse error rather than "no such file"."""
    return text[:3].lower() == "s3:"


def meant_as_s3_url(text: str) -> bool:
    """Whether a path argument goes to S3 (and its parse error, if any, is what the user
    reads): an ``s3://`` URL, or a misspelt one unless a local file has that name."""
    return is_s3_url(text) or (looks_like_s3_url(text) and not os.path.exists(text))


@dataclass(frozen=True, slots=True)
class S3Url:
    """A bucket and a key (``""`` for the bucket's root). ``str()`` gives ``s3://bucket/key``."""

    bucket: str
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> S3Url:
        """``s3://bucket``, ``s3://bucket/`` or ``s3://bucket/key``; raises S3UrlError."""
        if not is_s3_url(text):
            raise S3UrlError(f"not an s3:// URL: {text!r} (write s3://bucket/prefix)")
        bucket, _, key = text[len(SCHEME):].partition("/")
        if not bucket:
            raise S3UrlError(f"no bucket in {text!r} (write s3://bucket/prefix)")
        if not is_bucket_name(bucket):
            raise S3UrlError(f"not a bucket name: {bucket!r} in {text!r}")
        return cls(bucket, key)

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"

    @property
    def is_prefix(self) -> bool:
        """The bucket's root or a key ending in "/": a folder, never one object."""
        return self.key == "" or self.key.endswith("/")

    def with_key(self, key: str) -> S3Url:
        """Another place in the same bucket."""
        return S3Url(self.bucket, key)

    def folder(self) -> S3Url:
        """The key up to its last "/": the folder a listing shows it in (a prefix's own)."""
        return S3Url(self.bucket, self.key.rpartition("/")[0] + "/" if "/" in self.key else "")
