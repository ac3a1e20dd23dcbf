"""The server's own log lines (uvicorn's errors and access lines) are escaped like every
other line vidsort writes: an exception's message may quote a hostile file name."""

from __future__ import annotations

import io
import logging
import logging.config

from api_compat.launch import log_config


def test_a_control_character_in_a_server_log_line_is_written_escaped():
    config = log_config()
    config["handlers"]["default"]["stream"] = stream = io.StringIO()
    config["handlers"]["access"]["stream"] = access = io.StringIO()
    logging.config.dictConfig(config)
    try:
        logging.getLogger("uvicorn.error").error("cannot open %s", "\x9d52;c;cHduZWQ=\x9cclip.mp4")
        logging.getLogger("uvicorn.access").warning('"GET /media/\x9b2J HTTP/1.1" 404')
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    written = stream.getvalue() + access.getvalue()
    assert "\\x9d52;c;cHduZWQ=\\x9cclip.mp4" in written and "\\x9b2J" in written
    assert not any("\x80" <= c <= "\x9f" or c < " " and c != "\n" for c in written)
