from tests.config.test_bad_input import world  # noqa: F401 (a fixture for every test here)
