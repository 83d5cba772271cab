"""Object ids as the database stores them: every model's primary key is a BigAutoField."""

MAX_OBJECT_ID = 2**63 - 1  # a larger number from a request is no id at all (SQLite refuses to bind it: a 500)


def valid_ids(ids) -> list[int]:
    """Keep the ints of ``ids`` that can be a primary key (1..MAX_OBJECT_ID), in order."""
    return [i for i in ids if 1 <= i <= MAX_OBJECT_ID]


def parse_ids(texts) -> list[int]:
    """Keep the ids written in ``texts`` as plain ASCII digits within range, in order; skip anything else.

    (``str.isdigit()`` alone lets "²" through, which ``int()`` refuses, and ``int()`` refuses more than
    4300 digits: both would be a 500.)
    """
    width = len(str(MAX_OBJECT_ID))
    return valid_ids(int(t) for t in texts if t.isascii() and t.isdigit() and len(t) <= width)
