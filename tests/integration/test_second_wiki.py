"""The network wiki of the tests is a real MediaWiki of its own, not the stack's."""

from __future__ import annotations

import json
import urllib.request

from scripts.devstack import StackInfo
from scripts.devstack.second_wiki import SecondWiki


def _sitename_and_pages(api: str) -> tuple[str, int]:
    url = f"{api}?action=query&meta=siteinfo&siprop=general|statistics&format=json"
    with urllib.request.urlopen(url, timeout=10) as response:
        data = json.load(response)["query"]
    return data["general"]["server"], int(data["statistics"]["pages"])


def test_network_wiki_is_a_distinct_wiki(stack: StackInfo, network_wiki: SecondWiki) -> None:
    server, _ = _sitename_and_pages(network_wiki.api)
    assert server == network_wiki.url
    assert network_wiki.url != stack.wiki_url
    assert _sitename_and_pages(stack.wiki_api)[0] == stack.wiki_url
