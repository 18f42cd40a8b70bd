"""No credential reaches the user from any service's error text (issue 20.3).

A real loopback endpoint (tests/echo_endpoint.py) echoes every request's headers into an
Athena error message and into a failed query's StateChangeReason, as a logging proxy or a
broken endpoint would; the CLI and the engine must show neither the access key id nor the
session token, even a short one, whether the credentials came from the environment or from a
profile.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from flowtui.athena.engine import AthenaTarget, QueryFailed, make_athena_client, run_query
from tests.cli_fork import flowtui_run
from tests.echo_endpoint import echo_endpoint

ROOT = Path(__file__).resolve().parent.parent
KEY_ID = "AKECHOKEY77"
SECRET = "echo-secret-1"
TOKEN = "tok5s"  # short: shorter than any real token, as test set-ups use


def _top(s3_server, endpoint: str, env: dict[str, str], *extra: str
         ) -> subprocess.CompletedProcess[str]:
    return flowtui_run(
        "top", f"s3://{s3_server.main_bucket}/hive/", "--by", "srcaddr", "--engine", "athena",
        "--output-location", "s3://r/q/", "--endpoint-url", s3_server.endpoint_url, *extra,
        cwd=ROOT, timeout=120, env=dict(env, AWS_ENDPOINT_URL_ATHENA=endpoint))


def _env_credentials() -> dict[str, str]:
    return dict(os.environ, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET,
                AWS_SESSION_TOKEN=TOKEN)


def _profile_credentials(tmp_path: Path) -> dict[str, str]:
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[echo]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = "
                           f"{SECRET}\naws_session_token = {TOKEN}\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    return dict(env, AWS_SHARED_CREDENTIALS_FILE=str(credentials))


@pytest.mark.parametrize("mode", ["error", "reason"])
@pytest.mark.parametrize("source", ["environment", "profile"])
def test_athena_errors_never_show_the_credentials(s3_server, tmp_path: Path, mode: str,
                                                  source: str) -> None:
    env = _env_credentials() if source == "environment" else _profile_credentials(tmp_path)
    extra = ("--profile", "echo") if source == "profile" else ()
    with echo_endpoint(mode) as endpoint:
        done = _top(s3_server, endpoint, env, *extra)
    assert done.returncode == 2, done.stderr  # a query Athena did not answer
    assert "Traceback" not in done.stderr
    assert "<hidden>" in done.stderr  # the echo arrived, redacted
    assert KEY_ID not in done.stderr and TOKEN not in done.stderr, done.stderr
    assert SECRET not in done.stderr


@pytest.mark.parametrize("mode", ["error", "reason"])
def test_the_engine_redacts_what_the_app_shows(mode: str, monkeypatch) -> None:
    """The app shows ``QueryFailed``'s text and the status's reason: both redacted."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    reasons: list[str] = []
    with echo_endpoint(mode) as endpoint:
        client = make_athena_client(region="us-east-1", endpoint_url=endpoint)
        with pytest.raises(QueryFailed) as caught:
            list(run_query(client, "SELECT 1", AthenaTarget(output_location="s3://r/q/"),
                           on_status=lambda s: reasons.append(s.reason), poll_seconds=0.01))
    shown = str(caught.value) + " ".join(reasons)
    assert "X-Amz-Security-Token" in shown or "Authorization" in shown  # the echo is there
    assert KEY_ID not in shown and TOKEN not in shown, shown
