"""The order comments of one item are stored in: parents before replies."""

from blog.wordpress import threads
from blog.wordpress.records import Comment


class Counted(Comment):
    """A comment record that counts how often its parent link is followed."""

    follows = 0

    def __getattribute__(self, name):
        if name == "parent":
            type(self).follows += 1
        return super().__getattribute__(name)


def _comment(wp_id, parent, record=Comment):
    fields = dict.fromkeys(
        ["author", "author_email", "author_url", "author_ip", "date", "date_gmt"], ""
    )
    return record(wp_id, **fields, content="", approved="1", kind="", parent=parent)


def _ids(comments):
    return [c.wp_id for c in threads.parents_first(comments)]


def test_replies_come_after_their_parents_whatever_the_file_order():
    comments = [_comment(3, 2), _comment(2, 1), _comment(9, 99), _comment(1, None)]
    assert _ids(comments) == [9, 1, 2, 3]


def test_a_cycle_of_parents_still_gives_every_comment_once():
    comments = [_comment(1, 2), _comment(2, 1), _comment(3, 1)]
    ordered = _ids(comments)
    assert sorted(ordered) == [1, 2, 3]
    assert ordered.index(1) < ordered.index(3)


def test_a_long_reply_chain_is_ordered_in_linear_work():
    """Each comment's depth was counted by walking up to its root: a chain of
    n replies took n²/2 steps, hours for the chain a 50 MB file can hold."""
    count = 3000
    chain = [_comment(n, n - 1 or None, Counted) for n in range(count, 0, -1)]
    Counted.follows = 0
    assert _ids(chain) == list(range(1, count + 1))
    assert Counted.follows < 10 * count
