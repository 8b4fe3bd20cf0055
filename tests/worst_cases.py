"""Comments of the longest default length built to be slow to render, mask or check.

Each repeats one unit: a run a pattern may start a match at every step of
(the linkifier's URL pattern, the phone pattern), or thousands of sibling
blocks (html5lib's tree walker once found each element's place by scanning
its parent). Before their fixes they took 4 to 40 s each. The unit tests
check what they render to; tests/benchmarks/worst_case_bench.py times them.
"""

LONGEST = 65525  # the default max_comment_length

# Runs the linkifier might start a link at every step of; none is a link.
LINK_RUNS = ["1-", "x-", "a.b-", "(", "(\\"]
# Runs the spam checks' link and tag patterns might start a match at every
# step of, each read to the end of the comment: none is a link.
CHECK_RUNS = ["a.", "1-", "a-.", "a.-", "<a ", "<!--", "<a>"]
# Emphasis marks opened before one letter and closed after it, a comment's
# length in all: thousands of nested levels.
EMPHASIS_MARKS = ["*", "_", "*x ", "*a_"]
# Thousands of small blocks, each holding an element: (unit, tag, element).
BLOCKS = [
    ("*a*\n\n", "<p>", "<em>"),
    ("`a`\n\n", "<p>", "<code>"),
    ("- *a*\n", "<li>", "<em>"),
    ("> *a*\n>\n", "<p>", "<em>"),
]
# Near misses of an address, each a candidate the email pattern reads and
# turns down: none is an address.
NEAR_ADDRESSES = [
    "look at example.com ",
    "x @ self.weights ",
    "j.d at b.com/",
    "a@b.c-",
    "a (at) b (dot) ",
    "a at b dot ",
    "jane at gmail.com-",
    "a arroba b punto ",
    "mail me at x at b.weights ",
]
# One candidate as long as a comment: a plain or spaced at before a host of
# 21,840 labels that ends in no top-level domain.
LONG_HOSTS = ["x @ ", "x at ", "j.d at "]
# A user name spelt out with dots as long as a comment, before one address:
# it is read back a user name's length, not to the start.
SPELT_USER_NAMES = ["a dot ", "a [dot] "]
SPELT_ADDRESS = "b at gmail dot com"
# Runs of numbers none of which may end (a hyphen follows the last): no phone.
ENDLESS_NUMBERS = ["1- ", "- 1", "1-(", "(1)-"]


def repeated(unit: str) -> str:
    return unit * (LONGEST // len(unit))


def endless(unit: str) -> str:
    return unit * ((LONGEST - 5) // len(unit)) + "-"


def spelt_user_name(unit: str) -> str:
    return unit * ((LONGEST - len(SPELT_ADDRESS)) // len(unit)) + SPELT_ADDRESS


def long_host(at: str) -> str:
    return at + "aa." * ((LONGEST - len(at) - 2) // 3) + "aa"


def nested(marks: str) -> str:
    half = marks * ((LONGEST - 1) // (2 * len(marks)))
    return half + "a" + half[::-1]
