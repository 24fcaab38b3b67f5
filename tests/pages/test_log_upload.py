"""The prediction-log upload of the Monitoring page against hostile files (issue 17): a refusal names the user's
file, never the server's staging folder, and a compressed upload is limited by what it expands to."""

import gzip
from functools import partial

import pytest

from mldebt_core.logs import ingest
from mldebt_core.settings import LogIngestSettings
from pages.components import common as components
from pages.components import log_upload
from pages.components.common import plain
from tests.pages.test_monitoring import monitored, run, small_log  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_a_refused_upload_names_the_users_file_not_the_staging_folder(monitored):  # noqa: F811
    monitored(log=False)
    at = run()
    before = components.store().table_counts()
    at.file_uploader(key="log_upload").set_value(("mine.parquet", b"PAR1 not parquet", "application/octet-stream"))
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith(plain("mine.parquet: cannot read it as Parquet"))
    unescaped = message.replace("\\", "")  # plain() escapes Markdown: mldebt\-upload
    assert "mldebt-upload" not in unescaped and "upload.parquet" not in unescaped, message
    assert components.store().table_counts() == before


def test_a_compression_bomb_is_refused_while_staging(monitored, monkeypatch):  # noqa: F811
    small = LogIngestSettings(max_upload_decompressed_bytes=1_000_000)
    monkeypatch.setattr(log_upload, "stage_upload", partial(ingest.stage_upload, settings=small))
    monitored(log=False)
    at = run()
    at.file_uploader(key="log_upload").set_value(("week.csv.gz", gzip.compress(b"0" * 3_000_000), "application/gzip"))
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith(plain("week.csv.gz: expands to more than 1 MB when decompressed"))
