"""Related posts (interim: replaced by the scoring work)."""


def update(post_ids):
    """Recompute the related lists these posts enter or leave."""


def recompute_all():
    """Recompute every related list."""


def for_post(post, count=5):
    return []
