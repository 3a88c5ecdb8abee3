"""Settings of the B8 benchmark server: the product's, plus the reference views' URLs."""

from paretocrm.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
