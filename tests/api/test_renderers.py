"""api.renderers.PlainJSONRenderer: DRF's JSON bytes through orjson, and the list's cached answers as bytes."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from api.renderers import PlainJSONRenderer, json_fragment

PAYLOADS = [
    {"count": 2, "next": None, "results": [{"title": "Crème brûlée mug · M", "in_stock": True, "price": "12.50"}]},
    {"text": "a\u2028line\u2029paragraph", "emoji": "☕", "nested": [[], {}, [1, [2, [3]]]], "big": 2**62},
    {"lazy": gettext_lazy("Products"), "decimal": Decimal("12.50"), "uuid": uuid.UUID(int=7),
     "when": datetime.datetime(2026, 12, 2, 6, 0, 1, 123456, tzinfo=datetime.timezone.utc),
     "day": datetime.date(2026, 12, 2), "bytes": b"raw", "tuple": (1, "two")},
    [], "plain string", 0, True,
]


@pytest.mark.parametrize("data", PAYLOADS)
def test_the_bytes_are_drfs(data):
    assert PlainJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indents_integers_past_64_bits_and_none_go_through_drf():
    renderer = PlainJSONRenderer()
    data = {"a": [1, 2], "huge": 2**70}
    assert renderer.render(data) == JSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert renderer.render({"a": [1]}, indented) == JSONRenderer().render({"a": [1]}, indented) == b'{\n  "a": [\n    1\n  ]\n}'
    assert renderer.render(None) == b""


def test_a_fragment_is_written_as_it_is_and_decoded_for_an_indent():
    body = PlainJSONRenderer().render(PAYLOADS[0])
    assert PlainJSONRenderer().render(json_fragment(body)) == body
    indented = PlainJSONRenderer().render(json_fragment(body), "application/json; indent=4")
    assert indented == JSONRenderer().render(PAYLOADS[0], "application/json; indent=4")


def test_what_neither_can_write_is_refused_alike():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})
    with pytest.raises(TypeError):
        PlainJSONRenderer().render({"x": object()})
