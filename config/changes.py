"""Saving a service's validated changes on a model instance."""


def save_changes(obj, changes: dict, *, merge_metadata: bool = False):
    """Set each change on `obj` and save it. With `merge_metadata`, a `metadata` object is
    merged into the stored one key by key (null still clears it)."""
    if merge_metadata and changes.get("metadata") is not None:
        changes = {**changes, "metadata": {**(obj.metadata or {}), **changes["metadata"]}}
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.save()
    return obj
