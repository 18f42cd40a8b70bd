"""Turn S3 and credential failures into one line a person can act on.

Users meet these in a status bar or on stderr over SSH: they need to know what to do (log in
again, ask for a permission, switch region), not read a traceback. Messages never carry a
credential: anything shaped like an access key, secret, token or signature is masked.
"""

from __future__ import annotations

import re

from botocore import exceptions as bce

from flowtui.redact import redact
from flowtui.s3.url import SCHEME, S3Url

#: The IAM action each API call needs, for "AccessDenied" messages.
ACTIONS = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "ListObjectsV2": "s3:ListBucket",
    "HeadObject": "s3:GetObject",
    "HeadBucket": "s3:ListBucket",
    "GetObject": "s3:GetObject",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class S3AccessError(Exception):
    """A failure already described for a person; ``str(exc)`` is the one line to show."""


class ObjectChanged(S3AccessError):
    """The object was replaced while being read (its ETag changed): the bytes already read and
    the rest would come from different versions, so the read stops."""


class ListingLoop(S3AccessError):
    """The server answered a listing without moving on (a repeated continuation token, a
    page with no new key): following it would list forever."""


class ListingCut(S3AccessError):
    """A listing page came back without its ``IsTruncated`` flag (an empty or cut-off body
    answered 200): taking it as the last page would end the listing early, silently."""


#: What an answer that is not S3's is: a captive portal's sign-in page, an inspecting or
#: blocking proxy's page. (EC2's names say the same of EC2: ``names.inventory.fetch``.)
NOT_S3 = ("S3 answered with something that is not an S3 response (a proxy or a sign-in "
          "page between here and AWS?)")


def is_web_page(headers: object) -> bool:
    """Whether a response's headers (botocore's ``HTTPHeaders``, lower-case names) say it
    is a web page: S3's REST API answers XML (or an object's bytes), never ``text/html``."""
    if not isinstance(headers, dict):
        return False
    return "html" in str(headers.get("content-type") or "").lower()


class TooManyObjects(S3AccessError):
    """A load would have to list more objects than allowed: narrow the prefix or window."""


def safe_text(text: str, limit: int = 300) -> str:
    """One line, no control characters, no credentials (``flowtui.redact``, the one
    redaction every service's errors go through), bounded length."""
    text = redact(text)
    text = " ".join(text.split())
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(bucket: str | None, key: str | None) -> str:
    if bucket and key:
        return str(S3Url(bucket, key))
    if bucket:  # a bucket-level error names the bucket alone, without the root's "/"
        return SCHEME + bucket
    return "S3"


def _resource(bucket: str | None, key: str | None, op: str | None) -> str:
    if not bucket:
        return "*"
    if op in ("GetObject", "HeadObject") and key is not None:
        return f"arn:aws:s3:::{bucket}/{key}"
    return f"arn:aws:s3:::{bucket}"


def describe(exc: BaseException, *, bucket: str | None = None, key: str | None = None,
             profile: str | None = None, region: str | None = None) -> str:
    """One actionable line for ``exc``; ``bucket``/``key`` say what was being accessed."""
    return safe_text(_describe(exc, bucket, key, profile, region))


def _describe(exc: BaseException, bucket: str | None, key: str | None,
              profile: str | None, region: str | None) -> str:
    where = _where(bucket, key)
    login = f"aws sso login --profile {profile}" if profile else "aws sso login"
    if isinstance(exc, S3AccessError):
        return str(exc)
    if isinstance(exc, bce.ProfileNotFound):
        return (f"AWS profile {exc.kwargs.get('profile', profile)!r} is not in your AWS config: "
                "check --profile / AWS_PROFILE and ~/.aws/config")
    if isinstance(exc, (bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError)):
        return f"The AWS SSO session has expired or was never started: run `{login}`"
    if isinstance(exc, bce.TokenRetrievalError):
        return f"Could not refresh the AWS SSO token: run `{login}`"
    if isinstance(exc, bce.NoCredentialsError):
        return ("No AWS credentials found: set AWS_PROFILE (or --profile), run `aws configure` "
                "or `aws sso login`, or use --no-sign-request for a public bucket")
    if isinstance(exc, bce.PartialCredentialsError):
        return (f"Incomplete AWS credentials ({exc.kwargs.get('cred_var', 'a value')} is missing)"
                f" from {exc.kwargs.get('provider', 'the environment')}: set both the key id "
                "and the secret, or use a profile")
    if isinstance(exc, bce.CredentialRetrievalError):
        return (f"Could not get AWS credentials from {exc.kwargs.get('provider', 'a provider')}:"
                " check your profile's credential_process/role settings")
    if isinstance(exc, bce.NoRegionError):
        return "No AWS region configured: pass --region or set AWS_REGION"
    if isinstance(exc, bce.ClientError):
        return _describe_client_error(exc, bucket, key, login, region)
    if isinstance(exc, bce.ReadTimeoutError):
        return (f"{where}: S3 stopped sending data (read timed out): the network or endpoint is "
                "slow; try again")
    if isinstance(exc, bce.ConnectTimeoutError):
        url = exc.kwargs.get("endpoint_url", "the S3 endpoint")
        return (f"Cannot reach {url} (connection timed out): check the network, proxy settings "
                "or --endpoint-url")
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectionClosedError)):
        url = exc.kwargs.get("endpoint_url", "the S3 endpoint")
        return (f"Cannot reach {url}: check the network, proxy settings, --endpoint-url "
                "or --region")
    if isinstance(exc, (bce.ResponseStreamingError, bce.IncompleteReadError)):
        return f"{where}: the connection broke while reading and could not be resumed"
    if isinstance(exc, bce.ParamValidationError):
        return f"Invalid S3 request for {where}: check the bucket name and key"
    if isinstance(exc, bce.BotoCoreError):
        return f"{where}: {exc}"
    if isinstance(exc, OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _describe_client_error(exc: bce.ClientError, bucket: str | None, key: str | None,
                           login: str, region: str | None) -> str:
    err = exc.response.get("Error", {}) or {}
    meta = exc.response.get("ResponseMetadata", {}) or {}
    headers = meta.get("HTTPHeaders", {}) or {}
    status = meta.get("HTTPStatusCode")
    code = str(err.get("Code") or status or "Error")
    message = str(err.get("Message") or "")
    op = exc.operation_name
    bucket = bucket or str(err.get("BucketName") or "") or None
    where = _where(bucket, key)
    bucket_region = headers.get("x-amz-bucket-region") or err.get("Region")

    if is_web_page(headers) and code.isdigit():
        # No S3 error code: the body was not S3's XML but an HTML page, answered 5xx, or
        # 200 (botocore turns a 200 it cannot parse into a 500 and retries it): without
        # this it read "S3 internal error" or "S3 kept throttling".
        return f"{where}: {NOT_S3}"

    if code in ("ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
                "RequestExpired"):
        return f"The AWS credentials have expired: refresh them (e.g. `{login}`) and try again"
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                "InvalidClientTokenId", "UnrecognizedClientException"):
        return (f"S3 rejected the AWS credentials ({code}): check the profile or environment "
                "variables in use")
    if code in ("PermanentRedirect", "AuthorizationHeaderMalformed",
                "IllegalLocationConstraintException", "301") or status == 301:
        if bucket_region:
            return (f"Bucket {bucket!r} is in region {bucket_region}"
                    f"{f', not {region}' if region else ''}: use --region {bucket_region}")
        return f"Bucket {bucket!r} is in another region: pass its region with --region"
    if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
        action = ACTIONS.get(op, op)
        resource = _resource(bucket, key, op)
        hint = "ask for it in your IAM or bucket policy"
        if "explicit deny" in message:
            hint = "an explicit deny (SCP, bucket or key policy) blocks it"
        return f"Access denied: {action} on {resource} is not allowed: {hint}"
    if code == "NoSuchBucket":
        return f"Bucket {bucket!r} does not exist (NoSuchBucket): check the name"
    if code in ("NoSuchKey", "404", "NotFound"):
        return f"{where} does not exist (deleted since it was listed?)"
    if code in ("PreconditionFailed", "412"):
        return f"{where} was replaced while it was being read: load it again"
    if code == "InvalidObjectState":
        return f"{where} is archived (Glacier/Deep Archive): restore it before reading"
    if code in ("SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
                "TooManyRequestsException", "503", "ServiceUnavailable"):
        return (f"{where}: S3 kept throttling ({code}) after all retries: lower the concurrency "
                "or try again later")
    if code in ("InvalidRange", "416"):
        return f"{where}: the object is shorter than expected (InvalidRange); reload it"
    if code == "400" and op in ("HeadObject", "HeadBucket"):
        return (f"{where}: S3 refused the request (400, and a HEAD's answer says no more): most "
                f"often expired or invalid credentials (refresh them, e.g. `{login}`) or "
                "another region (--region)")
    if code in ("InternalError", "500"):
        return f"{where}: S3 internal error after all retries; try again later"
    detail = f": {message}" if message else ""
    return f"{where}: {code}{detail}"
