"""The curl examples in docs/api.md work: each ```sh block's ``curl`` commands are read as curl
would read them (method, headers, body, address) and sent to the application through the test
client, with a token made by the guide's own ``kpiboard token create`` line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner
from django.test import Client

from kpiboard.cli import main as cli

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def commands() -> list[str]:
    """Every command line in the guide's ```sh blocks, continuation lines joined."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", GUIDE.read_text("utf-8"), re.S):
        joined = re.sub(r"\\\n\s*", " ", block)  # a quoted body may still run over lines
        for command in re.split(r"\n(?=curl |kpiboard )", joined):
            found.append(command.split("   #")[0].strip())
    return found


def send(client: Client, command: str, token: str):
    words = shlex.split(command.replace("$KPIBOARD_TOKEN", token))
    method, headers, body, url = "GET", {}, None, None
    words = iter(words[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, value = next(words).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(words)
        elif word == "-o":
            next(words)
        else:
            url = word
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    content_type = headers.pop("Content-Type", "application/json")
    if method == "POST":
        return client.post(path, body, content_type=content_type, headers=headers)
    return client.get(path, headers=headers)


def test_the_guides_curl_examples_answer_200(demo_site):
    lines = commands()
    create = next(c for c in lines if c.startswith("kpiboard token create"))
    made = CliRunner().invoke(cli, shlex.split(create)[1:])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    curls = [c for c in lines if c.startswith("curl ")]
    assert len(curls) >= 4
    client = Client()
    for command in curls:
        response = send(client, command, token)
        assert response.status_code == 200, (command, response.content[:500])
