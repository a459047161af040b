"""Domain errors: raised by services, turned into `{type, message, code?}` by the API."""


class DomainError(Exception):
    type = "unknown_error"
    status = 500
    code: str | None = None
    headers: dict[str, str] = {}  # read only

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidData(DomainError):
    type = "invalid_data"
    status = 400


class NotAllowed(DomainError):
    type = "not_allowed"
    status = 400


class NotFound(DomainError):
    type = "not_found"
    status = 404


class Conflict(DomainError):
    type = "conflict"
    status = 409
    code = "invalid_state_error"


class Duplicate(DomainError):
    type = "duplicate_error"
    status = 422
    code = "invalid_request_error"


class Unauthorized(DomainError):
    type = "unauthorized"
    status = 401


class Forbidden(DomainError):
    """Signed in, but the user's role does not allow the action."""

    type = "forbidden"
    status = 403


class TooManyRequests(DomainError):
    type = "too_many_requests"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class Unavailable(DomainError):
    type = "unavailable"
    status = 503


class InsufficientInventory(NotAllowed):
    """Stock is short; `items` lists every shortage: `label`, `requested`, `available` and,
    when it concerns one level, `location_id`."""

    code = "insufficient_inventory"

    def __init__(self, items: list[dict]):
        self.items = items
        parts = [
            i["label"]
            + (f" at location {i['location_id']}" if i.get("location_id") else "")
            + f": requested {i['requested']}, available {i['available']}"
            for i in items
        ]
        super().__init__("Insufficient inventory for " + "; ".join(parts))
