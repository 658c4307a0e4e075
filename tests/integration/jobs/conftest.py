from tests.jobs_fixtures import seeded_twin, twin_url

__all__ = ["seeded_twin", "twin_url"]
