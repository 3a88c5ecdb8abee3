"""API rate limits with a counter per time window (the rates are DRF's settings).

DRF's own throttles keep, per client, the list of every request time in the last window and
read, trim and write that list back to the cache on each request: at 6,000 requests a
minute that is a 6,000-element list pickled twice per request, which made a busy client's
API calls measurably slower the busier it was (B8). Here each window is one integer counter
(``cache.add`` then ``cache.incr``), so a request costs the same however busy the client.
The price is the usual one of fixed windows: a client may spend one window's allowance at
its end and the next one's at the start.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class WindowCounterMixin(SimpleRateThrottle):
    """``allow_request``/``wait`` of a fixed-window counter for a DRF rate throttle."""

    window_end: float

    def allow_request(self, request: Any, view: Any) -> bool:
        """Count this request in the current window; refuse it past the rate."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = float((window + 1) * self.duration)
        counter = f"{self.key}:{window}"
        # A little longer than the window, so the counter cannot expire while it is read.
        if self.cache.add(counter, 1, self.duration + 5):
            return True
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between add and incr: this request starts it again
            self.cache.add(counter, 1, self.duration + 5)
            return True
        return bool(count <= self.num_requests)

    def wait(self) -> float:
        """Seconds until the window ends (sent as Retry-After)."""
        return max(0.0, self.window_end - self.now)


class UserWindowThrottle(WindowCounterMixin, UserRateThrottle):
    """Per signed-in user (rate ``user``), or per address for anonymous requests."""


class AnonWindowThrottle(WindowCounterMixin, AnonRateThrottle):
    """Per client address for anonymous requests (rate ``anon``)."""
