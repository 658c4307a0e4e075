from tests.jobs_fixtures import twin_url  # noqa: F401  (a second database of the same backend)
