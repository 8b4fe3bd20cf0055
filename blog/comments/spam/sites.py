"""Whose site a link's host is: one everybody links to, or somebody's own.

Video sites, social networks, code hosts and encyclopaedias are shared:
anybody's link may point there, so none of them says who sent it. Any other
host is a site somebody runs, which is what spam advertises. A host is judged
by its registrable domain (the Public Suffix List, as the publicsuffixlist
package ships it: no network): en.wikipedia.org is wikipedia.org, and a
public suffix such as co.uk is nobody's site. Where the list keeps sites
apart (name.blogspot.com), each is its owner's.
"""

import ipaddress

from publicsuffixlist import PublicSuffixList

SUFFIXES = PublicSuffixList()

SHARED_HOSTS = frozenset(
    {
        "youtube.com",
        "youtu.be",
        "vimeo.com",
        "facebook.com",
        "instagram.com",
        "twitter.com",
        "x.com",
        "tiktok.com",
        "linkedin.com",
        "reddit.com",
        "github.com",
        "gitlab.com",
        "medium.com",
        "wordpress.com",
        "blogspot.com",
        "tumblr.com",
        "wikipedia.org",
        "google.com",
    }
)


def is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_own_site(name: str) -> bool:
    """Whether a host (lower case, no "www.") is somebody's own site."""
    if not name:
        return False
    if is_address(name):
        return True
    site = SUFFIXES.privatesuffix(name)
    return site is not None and site not in SHARED_HOSTS
